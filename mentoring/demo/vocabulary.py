"""Words for believable demo people: roles, organisations and stories drawn from real schemes."""

FIRST_NAMES = """Aisha Alice Amara Amir Ana Ben Beatriz Chen Chloe Daniel David Deepa Eilidh Elena Emeka
Emma Fatima Femi Finn Gareth Grace Hannah Hiroshi Ibrahim Imogen Isla Jack James Jia Joanna Jonas
Kwame Laura Leila Liam Lucy Mai Marcus Maria Mateo Megan Mohammed Nadia Naomi Niamh Nikhil Olivia
Omar Oscar Owen Priya Rachel Rafael Rhys Rosa Ruth Sakura Samuel Sara Sean Sofia Sunita Tariq Thomas
Tom Yasmin Yusuf Zara Zoe Ifeoma Kofi Magdalena Piotr Siobhan Anjali Wei Lars Ingrid""".split()

LAST_NAMES = """Abbott Adeyemi Ahmed Ali Anderson Bailey Banerjee Bennett Brown Campbell Chen Clarke Cohen
Davies Dlamini Edwards Evans Fernandes Fraser Garcia Green Gupta Hall Harris Hughes Hussain Ivanova
Jackson Jones Kaur Kelly Khan Kim Kowalski Lewis Li Lopez MacDonald Martin Mensah Mitchell Morgan
Murphy Nakamura Nguyen Novak Nowak Obi O'Brien Okafor Osei Owen Patel Phillips Price Rahman Reid
Roberts Robinson Rossi Santos Schmidt Shah Silva Singh Smith Sokolova Taylor Thomas Thompson Turner
Walker Wang Watson White Williams Wilson Wright Yilmaz Young Zhang""".split()

# industry -> (job titles, organisations)
ROLES = {
    "higher_education": (
        [
            "Head of Student Services",
            "Research Manager",
            "Senior Lecturer in Economics",
            "International Office Manager",
            "Faculty Operations Manager",
            "Library Services Lead",
            "Professor of Chemistry",
            "Careers Consultant",
            "Registry Officer",
            "Head of Admissions",
        ],
        [
            "University of Northmoor",
            "Kingsgate College",
            "Riverside University",
            "St Aldric's College",
            "the Open Institute",
            "Westhaven University",
        ],
    ),
    "education": (
        [
            "Deputy Head Teacher",
            "Head of Science",
            "Education Consultant",
            "Curriculum Lead",
            "SEN Coordinator",
        ],
        ["Oakfield Academy Trust", "Brookside School", "Learning Futures", "Hillcrest High School"],
    ),
    "public_sector": (
        [
            "Policy Adviser",
            "Senior Civil Servant",
            "Economist",
            "Programme Director",
            "Local Government Officer",
            "Head of Analysis",
        ],
        [
            "HM Treasury",
            "Department for Education",
            "Greater Northmoor Council",
            "the Cabinet Office",
            "the Office for Statistics",
            "City of Westhaven Council",
        ],
    ),
    "healthcare": (
        [
            "Clinical Research Associate",
            "Hospital Pharmacist",
            "NHS Service Manager",
            "Head of Regulatory Affairs",
            "Public Health Registrar",
            "Biotech Lab Manager",
        ],
        [
            "Northmoor NHS Foundation Trust",
            "Helix Therapeutics",
            "Cairn Biosciences",
            "Public Health Westhaven",
            "Meridian Pharma",
        ],
    ),
    "charity": (
        [
            "Fundraising Manager",
            "Programme Officer",
            "Head of Campaigns",
            "Chief Executive",
            "Volunteer Coordinator",
            "Impact and Evaluation Lead",
        ],
        [
            "Shelter Together",
            "the Riverside Trust",
            "Open Doors Foundation",
            "Children First",
            "Green Futures Network",
        ],
    ),
    "finance": (
        [
            "Investment Analyst",
            "Finance Director",
            "Risk Manager",
            "Portfolio Manager",
            "Head of Compliance",
            "Credit Analyst",
            "Treasury Manager",
        ],
        [
            "Northbridge Capital",
            "Harbour Bank",
            "Sterling & Vale",
            "Ashcombe Asset Management",
            "First Meridian Bank",
            "Crown Street Partners",
        ],
    ),
    "accounting": (
        [
            "Audit Manager",
            "Tax Partner",
            "Chartered Accountant",
            "Forensic Accountant",
            "Financial Controller",
        ],
        ["Harlow & Finch LLP", "Moreton Grant", "Clarke Whitfield", "Beacon Audit"],
    ),
    "consulting": (
        [
            "Management Consultant",
            "Strategy Director",
            "Senior Associate",
            "HR Consultant",
            "Change Manager",
        ],
        ["Lattice Consulting", "Oakridge Partners", "Summit Advisory", "Bridgewater Strategy"],
    ),
    "law": (
        ["Solicitor", "Barrister", "Legal Counsel", "Paralegal Team Lead", "Head of Legal"],
        ["Carter Lowe LLP", "Grayson Chambers", "Whitmore & Price", "Fenwick Legal"],
    ),
    "technology": (
        [
            "Software Engineer",
            "Engineering Manager",
            "Product Manager",
            "Data Scientist",
            "UX Researcher",
            "Chief Technology Officer",
            "Cyber Security Analyst",
            "DevOps Lead",
        ],
        [
            "Brightloop",
            "Northwind Software",
            "Quantel Data",
            "Pixelworks",
            "Cloudline Systems",
            "Fernhill Labs",
            "Arcadia Digital",
        ],
    ),
    "engineering": (
        [
            "Civil Engineer",
            "Mechanical Engineer",
            "Project Engineer",
            "Head of Manufacturing",
            "Quality Manager",
            "Structural Engineer",
        ],
        [
            "Atlas Infrastructure",
            "Kestrel Aerospace",
            "Marlow Engineering",
            "Trident Rail",
            "Ironbridge Manufacturing",
        ],
    ),
    "energy": (
        [
            "Sustainability Manager",
            "Renewable Energy Analyst",
            "Environmental Consultant",
            "Grid Planning Engineer",
        ],
        ["Windward Energy", "Greenline Power", "Coastal Renewables", "EcoMetrics"],
    ),
    "media": (
        [
            "Journalist",
            "Commissioning Editor",
            "Producer",
            "Publishing Director",
            "Museum Curator",
            "Arts Programme Manager",
        ],
        [
            "the Northmoor Gazette",
            "Lantern Books",
            "Bluebird Productions",
            "the City Gallery",
            "Riverside Radio",
        ],
    ),
    "marketing": (
        [
            "Marketing Director",
            "Brand Manager",
            "Communications Manager",
            "PR Account Director",
            "Digital Marketing Lead",
            "Content Strategist",
        ],
        ["Kite Creative", "Amberlight Agency", "Foxglove PR", "Studio North"],
    ),
    "retail": (
        [
            "Buyer",
            "Store Operations Manager",
            "E-commerce Manager",
            "Supply Chain Planner",
            "Category Director",
        ],
        ["Hartleys", "Greengage Foods", "Marlowe & Co", "Urban Thread"],
    ),
    "hospitality": (
        ["Hotel General Manager", "Events Director", "Travel Operations Manager", "Head Chef"],
        ["Harbour View Hotels", "Wayfarer Travel", "Grand Union Events"],
    ),
    "property": (
        ["Architect", "Quantity Surveyor", "Property Development Manager", "Planning Consultant"],
        ["Stonegate Developments", "Hollis Architects", "Meridian Homes", "Cityscape Planning"],
    ),
    "transport": (
        ["Logistics Manager", "Operations Director", "Fleet Manager", "Transport Planner"],
        ["Swiftway Logistics", "Northern Rail Freight", "Portside Shipping"],
    ),
    "other": (
        ["Freelance Consultant", "Entrepreneur", "Executive Coach", "Small Business Owner"],
        ["self-employed", "Fernleaf Studio", "Compass Coaching"],
    ),
}

PLACES = [
    ("London", "GB"),
    ("Manchester", "GB"),
    ("Birmingham", "GB"),
    ("Leeds", "GB"),
    ("Glasgow", "GB"),
    ("Edinburgh", "GB"),
    ("Bristol", "GB"),
    ("Cardiff", "GB"),
    ("Belfast", "GB"),
    ("Newcastle", "GB"),
    ("Nottingham", "GB"),
    ("Sheffield", "GB"),
    ("Southampton", "GB"),
    ("Oxford", "GB"),
    ("Cambridge", "GB"),
    ("Dublin", "IE"),
    ("Paris", "FR"),
    ("Berlin", "DE"),
    ("Amsterdam", "NL"),
    ("Madrid", "ES"),
    ("Lisbon", "PT"),
    ("Warsaw", "PL"),
    ("New York", "US"),
    ("Toronto", "CA"),
    ("Singapore", "SG"),
    ("Hong Kong", "HK"),
    ("Dubai", "AE"),
    ("Lagos", "NG"),
    ("Nairobi", "KE"),
    ("Mumbai", "IN"),
    ("Sydney", "AU"),
    ("Tokyo", "JP"),
]

LANGUAGES = [
    "French",
    "Spanish",
    "German",
    "Mandarin",
    "Hindi",
    "Urdu",
    "Arabic",
    "Polish",
    "Portuguese",
    "Italian",
    "Welsh",
    "Yoruba",
    "Japanese",
    "Cantonese",
]

COURSES = [
    "BA History",
    "BSc Economics",
    "BSc Computer Science",
    "LLB Law",
    "BEng Civil Engineering",
    "BA English Literature",
    "BSc Biological Sciences",
    "MSc Finance",
    "BA Politics",
    "BSc Psychology",
    "MBA",
    "BA Modern Languages",
    "BSc Mathematics",
    "BSc Chemistry",
    "MA Education",
    "BSc Nursing",
    "BA Geography",
    "PhD Physics",
]

DEPARTMENTS = [
    "Finance",
    "Human Resources",
    "Estates",
    "IT Services",
    "Student Services",
    "Research Office",
    "International Office",
    "Library",
    "Marketing",
    "Registry",
    "School of Business",
    "School of Engineering",
    "School of Law",
]

HEADLINES = [
    "{title} who {move}; happy to talk about {topic}",
    "{years} years in {industry_short}; I help people with {topic}",
    "From graduate trainee to {title}: ask me about {topic}",
    "{title} at {org}; keen to support first-generation graduates",
    "I moved into {industry_short} later in my career and love helping others do the same",
    "{title}; mentoring on {topic} and building confidence",
]

MOVES = [
    "moved from engineering into finance",
    "relocated from {city} to the UK",
    "switched from the public sector to a start-up",
    "returned to work after a career break",
    "moved country twice for work",
    "went from research into industry",
]

KEY_AREAS = [
    "I lead a team of {n} and am responsible for a budget of £{m}m. I am proudest of building a "
    "graduate programme that has trained more than {k} people.",
    "Responsible for {topic} across the organisation. I delivered a restructuring that saved {n}% "
    "of running costs without redundancies, and I sit on the senior leadership team.",
    "I manage relationships with our largest clients and have won {k} major contracts. I also "
    "champion flexible working and mentor colleagues returning from parental leave.",
    "I set up the {topic} function from scratch and grew it to {n} people. Key successes: winning "
    "an industry award and promoting four of my team into management roles.",
    "Day to day I run projects worth £{m}m. I am known for clear communication with senior "
    "stakeholders and for coaching new managers.",
]

MOVES_TEXT = [
    "I started my career in {city} and moved to the UK in {year}, so I know how hard it is to "
    "build a network from nothing in a new country.",
    "I trained as an engineer and moved into {industry_short} after ten years. The skills carried "
    "over better than I expected, and I can help you see which of yours will.",
    "I left {industry_short} for two years to care for my family and came back at a more senior "
    "level. Career breaks need not hold you back.",
    "",
    "",
]

HELP_TEXT = [
    "I can review CVs and covering letters and run a mock interview.",
    "Happy to explain how recruitment really works in my sector.",
    "I can introduce you to people in my network once we know each other.",
    "Writing a business plan, pricing, and your first clients.",
    "Salary negotiation and asking for a promotion.",
    "",
]

JOB_DESCRIPTIONS = [
    "Led a team of {n} through a major change programme.",
    "Managed client relationships and a portfolio worth £{m}m.",
    "Graduate scheme: rotations in operations, finance and strategy.",
    "Built the {topic} function and hired the first team.",
    "Delivered projects on time and on budget; promoted after two years.",
    "",
]

MENTEE_ROLES = [
    "BSc Economics, second year",
    "BA History, final year",
    "MSc Data Science",
    "Research Administrator, School of Physics",
    "Finance Officer",
    "PhD candidate, Chemistry",
    "Graduate trainee",
    "LLB Law, final year",
    "IT Support Analyst",
    "Student Services Adviser",
    "BEng Mechanical Engineering",
    "MA International Relations",
    "Library Assistant",
    "HR Officer",
]

MENTEE_STAGES = [
    "First year",
    "Second year",
    "Final year",
    "Postgraduate",
    "One year in role",
    "Three years in role",
    "Returning to work",
    "Recent graduate",
]

MENTEE_GOALS = [
    "I want to find a first graduate job in {industry_short} and understand how to stand out in "
    "applications and interviews.",
    "I would like to become a team leader within two years and build the confidence to manage people.",
    "I am thinking of changing sector into {industry_short} and want to know which of my skills transfer.",
    "I hope to negotiate a better salary in my next role and plan my career progression.",
    "I moved to the UK recently and want to build a professional network here.",
    "I want to decide between further study and starting work, and hear from someone who has done both.",
]

TOPICS = [
    "career changes",
    "salary negotiation",
    "leadership",
    "first graduate jobs",
    "networking",
    "work–life balance",
    "moving abroad",
    "public speaking",
    "business planning",
    "confidence at work",
    "interviews",
    "promotion",
]

# The demo's university: where the staff programme's mentors and mentees work.
UNIVERSITY = "University of Northmoor"

STAFF_MENTOR_TITLES = [
    "Head of Student Services",
    "Research Manager",
    "Faculty Operations Manager",
    "Library Services Lead",
    "International Office Manager",
    "Head of Admissions",
    "Finance Business Partner",
    "HR Business Partner",
    "Senior Project Manager",
    "Deputy Registrar",
    "IT Service Delivery Manager",
    "Estates Operations Manager",
]

STAFF_MENTEE_ROLES = [
    "Research Administrator",
    "Finance Officer",
    "IT Support Analyst",
    "Student Services Adviser",
    "Library Assistant",
    "HR Officer",
    "International Student Adviser",
    "Admissions Officer",
    "Project Officer",
    "Marketing Assistant",
    "Team Administrator",
]

STAFF_MENTEE_STAGES = [
    "One year in role",
    "Three years in role",
    "New to the University",
    "Returning to work",
    "Ten years in role",
]

STUDENT_ROLES = [
    "BSc Economics",
    "BA History",
    "MSc Data Science",
    "PhD candidate, Chemistry",
    "LLB Law",
    "BEng Mechanical Engineering",
    "MA International Relations",
    "BSc Psychology",
    "BA Modern Languages",
    "MSc Finance",
]

STUDENT_STAGES = ["First year", "Second year", "Final year", "Postgraduate", "Recent graduate"]

STAFF_GOALS = [
    "I would like to become a team leader within two years and build the confidence to manage "
    "people.",
    "I want to understand how other parts of the University work and build a network beyond my "
    "department.",
    "I support international academics and want to get better at it: visas, relocation and "
    "settling in.",
    "I am preparing to apply for promotion and want help with the application and interview.",
    "I am back from a career break and want to rebuild my confidence and plan my next step.",
]

# What a staff mentee tells the coordinators when they apply to be matched centrally.
STAFF_APPLICATIONS = [
    "Someone from another department who has managed a team and can help me prepare to lead one.",
    "A mentor who knows how the University's committees and budgets work, to help me plan a "
    "move into project management.",
    "Someone who has supported international colleagues and can share what works.",
    "A mentor who has been through the promotion process for professional staff recently.",
    "Someone who returned to work after a break and can help me balance work and family.",
]

# The one-off questions mentees bring to the advice point.
ADVICE_QUESTIONS = [
    "I have an interview for a graduate scheme next week and would value one conversation about "
    "how to prepare.",
    "I am weighing up a master's degree against starting work and would like an hour of advice.",
    "I have a job offer and want advice on negotiating the salary before I accept.",
    "I am thinking of moving into {industry_short} and have a few specific questions.",
    "I would like feedback on my LinkedIn profile and how I present my experience.",
]
