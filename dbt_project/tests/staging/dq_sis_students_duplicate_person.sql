-- Catches: the same person keyed into the SIS twice (same normalised first and last name and date of birth under
-- different student ids). Returns each later id with the earliest id of its person.
-- When: every build; warn, because identity resolution (int_students__identity_matched) merges the later record
-- onto the earliest one, so marts stay correct.
-- Resolve: the registrar merges the records in the SIS (keep the earliest id); until then nothing is lost.

{{ config(severity='warn', store_failures=true) }}

{{ sis_later_duplicate_students(ref('stg_oracle_sis__students')) }}
