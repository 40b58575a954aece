"""The API's response shapes, for the OpenAPI document. Responses are serialised straight from the
in-memory rows (validating every row against these would cost more than answering); the schema fuzz test
(tests/api/test_fuzz.py) checks that what is sent matches them. Personal fields are strings: a masked value
(`J•••`) replaces a date or a name alike."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

PersonalFields = Literal["shown", "masked"]


class DataAsOf(BaseModel):
    run_id: str = Field(description="The pipeline run whose build this snapshot holds.")
    published_at: str = Field(description="When the snapshot was published (ISO 8601).")


class Health(BaseModel):
    status: Literal["ok"]
    data_as_of: DataAsOf


class DataAsOfAnswer(BaseModel):
    data_as_of: DataAsOf


class Student(BaseModel):
    student_key: str
    sis_student_id: int | None
    workday_student_id: str | None
    first_name: str | None
    last_name: str | None
    email: str | None
    phone: str | None
    date_of_birth: str | None
    city: str | None
    program_code: str | None
    program_name: str | None
    degree: str | None
    student_status: str | None
    enrollment_date: str | None
    expected_graduation_date: str | None
    gpa: float | None
    workday_location: str | None
    match_rule: str | None
    match_confidence: float | None
    duplicate_record_count: int | None
    is_in_sis: bool | None
    is_in_workday: bool | None
    attendance_days: int | None
    present_days: int | None
    attendance_rate: float | None
    assessment_count: int | None
    avg_score_pct: float | None


class StudentAnswer(BaseModel):
    data_as_of: DataAsOf
    personal_fields: PersonalFields
    student: Student


class JobRecommendation(BaseModel):
    rank: int
    job_posting_id: str
    job_title: str | None
    employer: str | None
    location: str | None
    region: str | None
    posting_status: str | None
    score: float | None
    matched_skills: list[str]
    missing_skills: list[str]
    reason: str | None


class JobRecommendations(BaseModel):
    data_as_of: DataAsOf
    student_key: str
    recommendations: list[JobRecommendation]


class CourseRecommendation(BaseModel):
    rank: int
    course_id: int
    course_code: str | None
    course_title: str | None
    department: str | None
    closes_skills: list[str]
    reason: str | None


class CourseRecommendations(BaseModel):
    data_as_of: DataAsOf
    student_key: str
    recommendations: list[CourseRecommendation]


class Job(BaseModel):
    job_posting_id: str
    requisition_id: str | None
    job_title: str | None
    employer: str | None
    location: str | None
    region: str | None
    posted_date: str | None
    posting_status: str | None
    salary_min: int | None
    salary_max: int | None
    skill_count: int | None
    skills: list[str]


class JobAnswer(BaseModel):
    data_as_of: DataAsOf
    job: Job


class BestFitStudent(BaseModel):
    student_key: str
    first_name: str | None
    last_name: str | None
    program_code: str | None
    gpa: float | None
    rank: int
    score: float | None
    matched_skills: list[str]
    missing_skills: list[str]
    reason: str | None


class BestFit(BaseModel):
    data_as_of: DataAsOf
    job_posting_id: str
    personal_fields: PersonalFields
    students: list[BestFitStudent]


class SearchResult(BaseModel):
    doc_type: Literal["student", "job", "course"]
    entity_id: str
    title: str | None = Field(description="A student's name (masked unless the role sees personal fields).")
    subtitle: str | None
    program: str | None
    location: str | None
    gpa: float | None
    posting_status: str | None
    skills: list[str]
    words_matched: int
    score: float


class SearchAnswer(BaseModel):
    data_as_of: DataAsOf
    terms: list[str]
    notes: list[str]
    total: int
    page: int
    pages: int
    page_size: int
    personal_fields: PersonalFields
    results: list[SearchResult]
