from django.db import migrations
from django.utils.text import slugify

# The areas real schemes name in their mentor guidance (career and staff schemes).
AREAS = [
    (
        "Finding a first graduate job",
        "Applications, graduate schemes and getting a foot in the door.",
    ),
    ("Insight into an industry", "What a sector is really like, and how people get into it."),
    (
        "CVs, applications and interviews",
        "Making applications stand out and preparing for interviews.",
    ),
    ("Salary negotiation", "Knowing your worth and asking for it."),
    ("Changing sector", "Moving your skills into a new industry or profession."),
    ("Moving country", "Working abroad, or building a career after moving here."),
    ("Becoming a team leader", "Stepping into management and leading people for the first time."),
    ("Leadership and management", "Leading teams, managing change and developing others."),
    ("Networking", "Building and using professional relationships with confidence."),
    ("Negotiating and influencing", "Getting agreement and influencing without authority."),
    ("Writing a business plan", "Turning an idea into a plan others will back."),
    ("Starting a business", "Self-employment, freelancing and founding a company."),
    ("Career progression and promotion", "Planning the next step and making the case for it."),
    ("Work–life balance", "Managing workload, boundaries and wellbeing."),
    ("Confidence and resilience", "Speaking up, handling setbacks and self-belief."),
    ("Returning to work", "Coming back after a career break, parental leave or illness."),
    ("Further study and research careers", "Postgraduate study, PhDs and academic careers."),
    ("Public speaking and presenting", "Presenting, chairing meetings and being heard."),
    ("Project management", "Planning, delivering and reporting on projects."),
    ("Personal branding and LinkedIn", "Presenting yourself online and in person."),
    ("Equality, diversity and inclusion", "Navigating and championing inclusion at work."),
    (
        "Professional qualifications",
        "Choosing and completing chartered or professional qualifications.",
    ),
    (
        "Supporting international staff and students",
        "Visas, relocation and working across cultures.",
    ),
    ("Time management and productivity", "Prioritising and getting the important things done."),
]


def add_areas(apps, schema_editor):
    ExpertiseArea = apps.get_model("profiles", "ExpertiseArea")
    ExpertiseArea.objects.bulk_create(
        [
            ExpertiseArea(
                name=name, slug=slugify(name.replace("–", " ")), description=description, position=i
            )
            for i, (name, description) in enumerate(AREAS)
        ],
        ignore_conflicts=True,
    )


def remove_areas(apps, schema_editor):
    ExpertiseArea = apps.get_model("profiles", "ExpertiseArea")
    ExpertiseArea.objects.filter(name__in=[name for name, _ in AREAS]).delete()


class Migration(migrations.Migration):
    dependencies = [("profiles", "0001_initial")]

    operations = [migrations.RunPython(add_areas, remove_areas)]
