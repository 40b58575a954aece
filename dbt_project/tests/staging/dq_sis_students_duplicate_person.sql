-- Catches: the same person keyed into the SIS twice (macro sis_same_person: same normalised first and last name
-- and date of birth under different student ids). Returns each later id with the earliest id of its person.
-- When: every build; warn, because identity resolution (int_students__identity_matched) merges the later record
-- onto the earliest one when the e-mail agrees too, so marts stay correct. This test asks for less evidence on
-- purpose: it reports every candidate for the registrar to confirm, while a merge must not join two people.
-- Resolve: the registrar merges the records in the SIS (keep the earliest id); until then nothing is lost.

{{ config(severity='warn', store_failures=true) }}

{{ sis_later_duplicate_students(ref('stg_oracle_sis__students')) }}
