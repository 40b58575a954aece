"""Word lists the sandbox draws its synthetic institution from: skill domains, names, nicknames, places."""

from __future__ import annotations

# Word lists read better packed than one item a line.
# fmt: off

# Twelve domains, twenty skills each. A domain is the hidden structure behind programs, courses, jobs and
# the students' affinities; the pipeline never sees the domain, only the skills.
SKILL_DOMAINS: dict[str, list[str]] = {
    'Data Science': [
        'Python', 'SQL', 'Statistics', 'Machine Learning', 'Data Visualization', 'Pandas', 'R',
        'Deep Learning', 'Data Wrangling', 'Regression Analysis', 'Experiment Design',
        'Natural Language Processing', 'Tableau', 'Time Series Analysis', 'Feature Engineering',
        'Bayesian Inference', 'Spark', 'Data Ethics', 'Dashboard Design', 'A/B Testing',
    ],
    'Software Engineering': [
        'Java', 'JavaScript', 'Git', 'Algorithms', 'Data Structures', 'Object-Oriented Design',
        'Unit Testing', 'REST APIs', 'TypeScript', 'React', 'C++', 'Go', 'Rust', 'Continuous Integration',
        'Code Review', 'Software Architecture', 'Debugging', 'Web Development', 'Mobile Development',
        'Agile Methods',
    ],
    'Cloud and Infrastructure': [
        'Linux', 'Networking', 'AWS', 'Azure', 'Docker', 'Kubernetes', 'Terraform', 'Bash Scripting',
        'System Administration', 'Site Reliability', 'Cloud Security', 'Monitoring', 'Load Balancing',
        'Virtualization', 'DNS', 'Incident Response', 'Ansible', 'Storage Systems', 'Capacity Planning',
        'Infrastructure as Code',
    ],
    'Cybersecurity': [
        'Threat Modeling', 'Penetration Testing', 'Cryptography', 'Network Security', 'Security Auditing',
        'Malware Analysis', 'Identity Management', 'Risk Assessment', 'Digital Forensics', 'Firewalls',
        'Secure Coding', 'Vulnerability Management', 'SIEM', 'Compliance', 'Zero Trust',
        'Security Operations', 'Access Control', 'Ethical Hacking', 'Privacy Engineering', 'Security Policy',
    ],
    'Business and Finance': [
        'Accounting', 'Financial Modeling', 'Excel', 'Corporate Finance', 'Budgeting', 'Business Strategy',
        'Market Research', 'Negotiation', 'Project Management', 'Supply Chain', 'Operations Management',
        'Valuation', 'Auditing', 'Taxation', 'Business Analytics', 'Risk Management', 'Economics',
        'Investment Analysis', 'Forecasting', 'Entrepreneurship',
    ],
    'Marketing and Communication': [
        'Digital Marketing', 'Copywriting', 'Social Media', 'Brand Management', 'Public Relations',
        'Content Strategy', 'SEO', 'Email Marketing', 'Consumer Behavior', 'Public Speaking', 'Storytelling',
        'Campaign Management', 'Marketing Analytics', 'Graphic Design', 'Video Production', 'Journalism',
        'Editing', 'Event Planning', 'Customer Research', 'Advertising',
    ],
    'Health Sciences': [
        'Patient Care', 'Anatomy', 'Physiology', 'Pharmacology', 'Clinical Research', 'Epidemiology',
        'Public Health', 'Nutrition', 'Medical Terminology', 'Health Informatics', 'First Aid', 'Nursing',
        'Biostatistics', 'Healthcare Administration', 'Mental Health', 'Rehabilitation', 'Lab Techniques',
        'Infection Control', 'Health Policy', 'Care Coordination',
    ],
    'Engineering': [
        'CAD', 'Thermodynamics', 'Circuit Design', 'Mechanics', 'MATLAB', 'Control Systems',
        'Materials Science', 'Embedded Systems', 'Signal Processing', 'Robotics', 'Fluid Dynamics',
        'Structural Analysis', 'Manufacturing', 'Quality Engineering', 'Electronics', 'Renewable Energy',
        'Systems Engineering', 'Product Design', 'Finite Element Analysis', 'Technical Drawing',
    ],
    'Life Sciences': [
        'Molecular Biology', 'Genetics', 'Microbiology', 'Biochemistry', 'Cell Biology', 'Ecology',
        'Bioinformatics', 'Laboratory Safety', 'PCR', 'Field Research', 'Organic Chemistry', 'Immunology',
        'Neuroscience', 'Zoology', 'Botany', 'Environmental Science', 'Scientific Writing', 'Microscopy',
        'Conservation', 'Evolutionary Biology',
    ],
    'Education and Social Sciences': [
        'Curriculum Design', 'Classroom Management', 'Educational Psychology', 'Tutoring', 'Sociology',
        'Psychology', 'Counseling', 'Qualitative Research', 'Survey Design', 'Social Work', 'Policy Analysis',
        'Community Outreach', 'Child Development', 'Special Education', 'Instructional Technology',
        'Assessment Design', 'Anthropology', 'Conflict Resolution', 'Mentoring', 'Grant Writing',
    ],
    'Arts and Design': [
        'Drawing', 'Photography', 'Illustration', 'User Experience', 'User Interface Design', 'Typography',
        'Animation', '3D Modeling', 'Music Production', 'Art History', 'Interior Design', 'Fashion Design',
        'Film Editing', 'Creative Writing', 'Sculpture', 'Painting', 'Game Design', 'Color Theory',
        'Sound Design', 'Portfolio Development',
    ],
    'Law and Public Policy': [
        'Legal Research', 'Contract Law', 'Constitutional Law', 'Legal Writing', 'Mediation',
        'Public Administration', 'Regulatory Affairs', 'Criminal Justice', 'International Relations',
        'Human Rights', 'Ethics', 'Employment Law', 'Intellectual Property', 'Political Science',
        'Urban Planning', 'Lobbying', 'Legislative Analysis', 'Civic Engagement', 'Environmental Law',
        'Due Diligence',
    ],
}

DOMAIN_CODES: dict[str, str] = {
    'Data Science': 'DS', 'Software Engineering': 'SE', 'Cloud and Infrastructure': 'CI',
    'Cybersecurity': 'CY', 'Business and Finance': 'BF', 'Marketing and Communication': 'MC',
    'Health Sciences': 'HS', 'Engineering': 'EN', 'Life Sciences': 'LS',
    'Education and Social Sciences': 'ES', 'Arts and Design': 'AD', 'Law and Public Policy': 'LP',
}

# Fields of study per domain: the programme names are "<degree> in <field>".
PROGRAM_FIELDS: dict[str, list[str]] = {
    'Data Science': [
        'Data Science', 'Applied Statistics', 'Business Analytics', 'Artificial Intelligence',
        'Computational Social Science', 'Data Engineering', 'Quantitative Methods', 'Informatics',
    ],
    'Software Engineering': [
        'Computer Science', 'Software Engineering', 'Web Development', 'Game Programming',
        'Information Systems', 'Human-Computer Interaction', 'Mobile Computing',
        'Computing, Theory and Practice',
    ],
    'Cloud and Infrastructure': [
        'Network Engineering', 'Cloud Computing', 'Systems Administration', 'Information Technology',
        'DevOps Engineering', 'Telecommunications', 'Distributed Systems', 'IT Operations',
    ],
    'Cybersecurity': [
        'Cybersecurity', 'Digital Forensics', 'Information Assurance', 'Security Engineering', 'Cyber Policy',
        'Cryptography', 'Network Defense', 'Security Management',
    ],
    'Business and Finance': [
        'Business Administration', 'Finance', 'Accounting', 'Economics', 'Business, Economics and Finance',
        'Supply Chain Management', 'Management', 'Entrepreneurship',
    ],
    'Marketing and Communication': [
        'Marketing', 'Communication', 'Journalism', 'Public Relations', 'Media Studies', 'Advertising',
        'Digital Media', 'Strategic Communication',
    ],
    'Health Sciences': [
        'Nursing', 'Public Health', 'Health Administration', 'Nutrition', 'Kinesiology', 'Health Informatics',
        'Pharmacy Studies', 'Physical Therapy',
    ],
    'Engineering': [
        'Mechanical Engineering', 'Electrical Engineering', 'Civil Engineering', 'Industrial Engineering',
        'Mechatronics', 'Aerospace Engineering', 'Energy Engineering', 'Engineering, Design and Innovation',
    ],
    'Life Sciences': [
        'Biology', 'Biochemistry', 'Environmental Science', 'Microbiology', 'Genetics', 'Neuroscience',
        'Marine Biology', 'Biotechnology',
    ],
    'Education and Social Sciences': [
        'Education', 'Psychology', 'Sociology', 'Social Work', 'Anthropology', 'Early Childhood Education',
        'Counseling', 'Human Development',
    ],
    'Arts and Design': [
        'Graphic Design', 'Fine Arts', 'Music', 'Film Studies', 'Interaction Design', 'Animation',
        'Architecture', 'Creative Writing',
    ],
    'Law and Public Policy': [
        'Law', 'Public Policy', 'Political Science', 'Criminal Justice', 'International Relations',
        'Urban Planning', 'Public Administration', 'Law, Ethics and Society',
    ],
}

DEGREES: list[tuple[str, str]] = [
    ('BSC', 'Bachelor of Science'), ('BA', 'Bachelor of Arts'), ('MSC', 'Master of Science'),
    ('MA', 'Master of Arts'), ('CERT', 'Graduate Certificate'), ('PHD', 'Doctor of Philosophy'),
]

COURSE_PREFIXES: list[str] = [
    'Introduction to', 'Foundations of', 'Applied', 'Advanced', 'Topics in', 'Principles of', 'Practical',
    'Seminar in', 'Studio:', 'Research Methods in',
]

FIRST_NAMES: list[str] = [
    'James', 'Mary', 'Robert', 'Patricia', 'John', 'Jennifer', 'Michael', 'Linda', 'William', 'Elizabeth',
    'David', 'Barbara', 'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Charles', 'Karen',
    'Christopher', 'Nancy', 'Daniel', 'Lisa', 'Matthew', 'Margaret', 'Anthony', 'Sandra', 'Mark', 'Ashley',
    'Donald', 'Kimberly', 'Steven', 'Emily', 'Andrew', 'Donna', 'Joshua', 'Michelle', 'Kenneth', 'Carol',
    'Kevin', 'Amanda', 'Brian', 'Melissa', 'Timothy', 'Deborah', 'Ronald', 'Stephanie', 'Jason', 'Rebecca',
    'Edward', 'Laura', 'Jeffrey', 'Helen', 'Ryan', 'Sharon', 'Jacob', 'Cynthia', 'Nicholas', 'Kathleen',
    'Gary', 'Amy', 'Eric', 'Angela', 'Jonathan', 'Anna', 'Stephen', 'Brenda', 'Larry', 'Pamela', 'Justin',
    'Emma', 'Scott', 'Nicole', 'Brandon', 'Samantha', 'Benjamin', 'Katherine', 'Samuel', 'Christine',
    'Alexander', 'Rachel', 'Patrick', 'Catherine', 'Jack', 'Victoria', 'Wei', 'Mei', 'Hiroshi', 'Yuki',
    'Aarav', 'Priya', 'Mohammed', 'Fatima', 'Santiago', 'Sofia', 'Mateo', 'Valentina', 'Oluwaseun', 'Amara',
    'Chinedu', 'Zainab', 'Dmitri', 'Anastasia', 'Lukas', 'Lena', 'Jose', 'Lucia', 'Minh', 'Linh', 'Ji-ho',
    'Seo-yeon', 'Arjun', 'Ananya', 'Omar', 'Layla', 'Kwame', 'Abena', 'Mateus', 'Beatriz', 'Siobhan', 'Niamh',
    'Zoë', 'Renée', 'André', 'Chloé', 'Søren', 'Björn', 'Ingrid', 'Astrid',
]

LAST_NAMES: list[str] = [
    'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez',
    'Hernandez', 'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin',
    'Lee', 'Perez', 'Thompson', 'White', 'Harris', 'Sanchez', 'Clark', 'Ramirez', 'Lewis', 'Robinson',
    'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott', 'Torres', 'Nguyen', 'Hill', 'Flores', 'Green',
    'Adams', 'Nelson', 'Baker', 'Hall', 'Rivera', 'Campbell', 'Mitchell', 'Carter', 'Roberts', 'Gomez',
    'Phillips', 'Evans', 'Turner', 'Diaz', 'Parker', 'Cruz', 'Edwards', 'Collins', 'Reyes', 'Stewart',
    'Morris', 'Morales', 'Murphy', 'Cook', 'Rogers', 'Gutierrez', 'Ortiz', 'Morgan', 'Cooper', 'Peterson',
    'Bailey', 'Reed', 'Kelly', 'Howard', 'Ramos', 'Kim', 'Cox', 'Ward', 'Richardson', 'Watson', 'Brooks',
    'Chavez', 'Wood', 'James', 'Bennett', 'Gray', 'Mendoza', 'Ruiz', 'Hughes', 'Price', 'Alvarez', 'Castillo',
    'Sanders', 'Patel', 'Myers', 'Long', 'Ross', 'Foster', 'Jimenez', 'Wang', 'Li', 'Zhang', 'Chen', 'Liu',
    'Tanaka', 'Suzuki', 'Sato', 'Okafor', 'Adeyemi', 'Mensah', 'Osei', 'Singh', 'Sharma', 'Gupta', 'Khan',
    'Ali', 'Hussain', 'Ivanov', 'Petrov', 'Müller', 'Schmidt', 'Schneider', 'Fischer', "O'Brien", "O'Connor",
    'McCarthy', 'Nakamura', 'Kowalski', 'Nowak', 'Rossi', 'Russo', 'Ferrari', 'Silva', 'Santos', 'Oliveira',
    'Costa', 'Pereira', 'Dubois', 'Lefèvre', 'García-López', 'Van der Berg', 'De Jong', 'Jansen', 'Larsen',
    'Hansen', 'Johansson', 'Lindqvist',
]

# Nicknames Workday records sometimes carry instead of the legal first name the SIS holds.
NICKNAMES: dict[str, str] = {
    'Robert': 'Bob', 'William': 'Bill', 'Richard': 'Dick', 'James': 'Jim', 'John': 'Jack', 'Michael': 'Mike',
    'Elizabeth': 'Liz', 'Jennifer': 'Jen', 'Patricia': 'Pat', 'Margaret': 'Maggie', 'Joseph': 'Joe',
    'Thomas': 'Tom', 'Christopher': 'Chris', 'Daniel': 'Dan', 'Matthew': 'Matt', 'Anthony': 'Tony',
    'Katherine': 'Kate', 'Kimberly': 'Kim', 'Nicholas': 'Nick', 'Jonathan': 'Jon', 'Stephen': 'Steve',
    'Steven': 'Steve', 'Samuel': 'Sam', 'Samantha': 'Sam', 'Alexander': 'Alex', 'Benjamin': 'Ben',
    'Rebecca': 'Becky', 'Victoria': 'Vicky', 'Timothy': 'Tim', 'Edward': 'Ed', 'Kenneth': 'Ken',
    'Donald': 'Don', 'Ronald': 'Ron', 'Andrew': 'Andy', 'Deborah': 'Debbie', 'Cynthia': 'Cindy',
    'Christine': 'Chris', 'Catherine': 'Cathy', 'Anastasia': 'Nastya', 'Zainab': 'Zee',
}

# (city, region) pairs; cities carry a comma on purpose ("Boston, MA") so CSVs must quote them.
LOCATIONS: list[tuple[str, str]] = [
    ('Boston, MA', 'Northeast'), ('New York, NY', 'Northeast'), ('Philadelphia, PA', 'Northeast'),
    ('Atlanta, GA', 'Southeast'), ('Miami, FL', 'Southeast'), ('Charlotte, NC', 'Southeast'),
    ('Chicago, IL', 'Midwest'), ('Detroit, MI', 'Midwest'), ('Minneapolis, MN', 'Midwest'),
    ('Austin, TX', 'Southwest'), ('Dallas, TX', 'Southwest'), ('Phoenix, AZ', 'Southwest'),
    ('Denver, CO', 'Mountain'), ('Salt Lake City, UT', 'Mountain'), ('Seattle, WA', 'Pacific'),
    ('San Francisco, CA', 'Pacific'), ('Los Angeles, CA', 'Pacific'), ('Portland, OR', 'Pacific'),
    ('Remote', 'Remote'), ('Washington, DC', 'Northeast'),
]

EMPLOYER_WORDS: list[str] = [
    'Acme', 'Northwind', 'Contoso', 'Globex', 'Initech', 'Umbrella', 'Stark', 'Wayne', 'Hooli', 'Vandelay',
    'Pied Piper', 'Soylent', 'Tyrell', 'Cyberdyne', 'Aperture', 'Black Mesa', 'Wonka', 'Gringotts', 'Oscorp',
    'Massive Dynamic', 'Dunder Mifflin', 'Prestige', 'Sirius', 'Monarch', 'Blue Sun', 'Weyland', 'Gekko',
    'Nakatomi', 'Octan', 'Rekall',
]

EMPLOYER_SUFFIXES: list[str] = [
    'Labs', 'Group', 'Health', 'Systems', 'Partners', 'Analytics', 'Inc.', 'LLC', '& Co.', 'Foundation',
    'University Hospital', 'Consulting',
]

JOB_LEVELS: list[str] = [
    'Junior', 'Associate', '', 'Senior', 'Lead', 'Graduate', 'Intern',
]

JOB_ROLES: dict[str, list[str]] = {
    'Data Science': [
        'Data Analyst', 'Data Scientist', 'Machine Learning Engineer', 'BI Developer', 'Analytics Engineer',
    ],
    'Software Engineering': [
        'Software Engineer', 'Frontend Developer', 'Backend Developer', 'QA Engineer', 'Full-Stack Developer',
    ],
    'Cloud and Infrastructure': [
        'Cloud Engineer', 'DevOps Engineer', 'Systems Administrator', 'Site Reliability Engineer',
        'Network Engineer',
    ],
    'Cybersecurity': [
        'Security Analyst', 'Penetration Tester', 'Security Engineer', 'SOC Analyst', 'GRC Analyst',
    ],
    'Business and Finance': [
        'Financial Analyst', 'Accountant', 'Business Analyst', 'Operations Manager', 'Auditor',
    ],
    'Marketing and Communication': [
        'Marketing Coordinator', 'Content Writer', 'Social Media Manager', 'PR Specialist', 'Brand Manager',
    ],
    'Health Sciences': [
        'Registered Nurse', 'Clinical Research Coordinator', 'Health Educator', 'Public Health Analyst',
        'Care Coordinator',
    ],
    'Engineering': [
        'Mechanical Engineer', 'Electrical Engineer', 'Design Engineer', 'Controls Engineer',
        'Manufacturing Engineer',
    ],
    'Life Sciences': [
        'Lab Technician', 'Research Assistant', 'Bioinformatician', 'Environmental Scientist',
        'Quality Control Analyst',
    ],
    'Education and Social Sciences': [
        'Teacher', 'School Counselor', 'Social Worker', 'Program Coordinator', 'Instructional Designer',
    ],
    'Arts and Design': [
        'UX Designer', 'Graphic Designer', 'Animator', 'Photographer', 'Game Designer',
    ],
    'Law and Public Policy': [
        'Paralegal', 'Policy Analyst', 'Legislative Aide', 'Compliance Officer', 'Urban Planner',
    ],
}

# fmt: on
