"""Fixed facts of the landing-files source and the config names it reads (the file contracts are in
`contracts.py`)."""

from __future__ import annotations

from typing import Final

from dlt.common.schema.typing import TSchemaContractDict

# Sub-folder of the landing folder that receives rejected files and their `<name>.reason.txt`.
REJECTED_FOLDER: Final = "rejected"
# Lineage columns every row gets; together they are the merge key (a second guard against double loads).
PRIMARY_KEY: Final = ("_source_file", "_source_row")
SCHEMA_CONTRACT: Final[TSchemaContractDict] = {"tables": "evolve", "columns": "evolve", "data_type": "freeze"}
# Resource state key of the files a kind has loaded: name -> sha256, rows, loaded_at.
LOADED_FILES_STATE: Final = "loaded_files"
DIGEST_BLOCK_BYTES: Final = 1 << 20

# Names a person fixes when something is wrong; used in error messages, never alongside values.
ENV_LANDING_DIR: Final = "SOURCES__FILES__LANDING_DIR"

# Fields that identify a student, by file kind (ingestion/suppression.py).
PERSON_FIELDS: Final[dict[str, dict[str, str]]] = {
    "attendance_lab": {"student_id": "sis_id"},
    "assessments_online": {"student_id": "sis_id"},
    "students_partner": {"email": "email"},
}
