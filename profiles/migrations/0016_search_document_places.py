"""Rebuild every mentor's search document: it now holds their country's English name, city,
industry and languages, so "Spain" finds the mentors the Country filter finds. Going back
leaves the documents as they are.

The SQL and the names are frozen here as they were when this migration was written (the app's
profiles.search may change its columns later, and an old database upgraded then must still run
this step): one set-based UPDATE on the migration's own connection. The directory's cached
pages expire on their own within minutes, so no cache is touched.
"""

import json

from django.db import migrations
from django.utils import timezone

SEARCH_CONFIG = "english"

# The labels of profiles.models.Industry and django_countries' English names, as they were.
INDUSTRIES = {
    "accounting": "Accounting and professional services",
    "charity": "Charities and social enterprise",
    "consulting": "Consulting",
    "education": "Schools and education",
    "energy": "Energy and environment",
    "engineering": "Engineering and manufacturing",
    "finance": "Banking and finance",
    "healthcare": "Healthcare and life sciences",
    "higher_education": "Higher education and research",
    "hospitality": "Hospitality, travel and tourism",
    "law": "Law",
    "marketing": "Marketing, advertising and PR",
    "media": "Media, arts and publishing",
    "other": "Other",
    "property": "Property and construction",
    "public_sector": "Government and public sector",
    "retail": "Retail and consumer goods",
    "technology": "Technology and software",
    "transport": "Transport and logistics",
}

COUNTRIES = {
    "AD": "Andorra",
    "AE": "United Arab Emirates",
    "AF": "Afghanistan",
    "AG": "Antigua and Barbuda",
    "AI": "Anguilla",
    "AL": "Albania",
    "AM": "Armenia",
    "AO": "Angola",
    "AQ": "Antarctica",
    "AR": "Argentina",
    "AS": "American Samoa",
    "AT": "Austria",
    "AU": "Australia",
    "AW": "Aruba",
    "AX": "Åland Islands",
    "AZ": "Azerbaijan",
    "BA": "Bosnia and Herzegovina",
    "BB": "Barbados",
    "BD": "Bangladesh",
    "BE": "Belgium",
    "BF": "Burkina Faso",
    "BG": "Bulgaria",
    "BH": "Bahrain",
    "BI": "Burundi",
    "BJ": "Benin",
    "BL": "Saint Barthélemy",
    "BM": "Bermuda",
    "BN": "Brunei",
    "BO": "Bolivia",
    "BQ": "Bonaire, Sint Eustatius and Saba",
    "BR": "Brazil",
    "BS": "Bahamas (The)",
    "BT": "Bhutan",
    "BV": "Bouvet Island",
    "BW": "Botswana",
    "BY": "Belarus",
    "BZ": "Belize",
    "CA": "Canada",
    "CC": "Cocos (Keeling) Islands",
    "CD": "Democratic Republic of the Congo",
    "CF": "Central African Republic",
    "CG": "Congo",
    "CH": "Switzerland",
    "CI": "Côte d'Ivoire",
    "CK": "Cook Islands",
    "CL": "Chile",
    "CM": "Cameroon",
    "CN": "China",
    "CO": "Colombia",
    "CR": "Costa Rica",
    "CU": "Cuba",
    "CV": "Cabo Verde",
    "CW": "Curaçao",
    "CX": "Christmas Island",
    "CY": "Cyprus",
    "CZ": "Czechia",
    "DE": "Germany",
    "DJ": "Djibouti",
    "DK": "Denmark",
    "DM": "Dominica",
    "DO": "Dominican Republic",
    "DZ": "Algeria",
    "EC": "Ecuador",
    "EE": "Estonia",
    "EG": "Egypt",
    "EH": "Western Sahara",
    "ER": "Eritrea",
    "ES": "Spain",
    "ET": "Ethiopia",
    "FI": "Finland",
    "FJ": "Fiji",
    "FK": "Falkland Islands (Malvinas)",
    "FM": "Micronesia",
    "FO": "Faroe Islands",
    "FR": "France",
    "GA": "Gabon",
    "GB": "United Kingdom",
    "GD": "Grenada",
    "GE": "Georgia",
    "GF": "French Guiana",
    "GG": "Guernsey",
    "GH": "Ghana",
    "GI": "Gibraltar",
    "GL": "Greenland",
    "GM": "Gambia",
    "GN": "Guinea",
    "GP": "Guadeloupe",
    "GQ": "Equatorial Guinea",
    "GR": "Greece",
    "GS": "South Georgia",
    "GT": "Guatemala",
    "GU": "Guam",
    "GW": "Guinea-Bissau",
    "GY": "Guyana",
    "HK": "Hong Kong",
    "HM": "Heard Island and McDonald Islands",
    "HN": "Honduras",
    "HR": "Croatia",
    "HT": "Haiti",
    "HU": "Hungary",
    "ID": "Indonesia",
    "IE": "Ireland",
    "IL": "Israel",
    "IM": "Isle of Man",
    "IN": "India",
    "IO": "British Indian Ocean Territory",
    "IQ": "Iraq",
    "IR": "Iran",
    "IS": "Iceland",
    "IT": "Italy",
    "JE": "Jersey",
    "JM": "Jamaica",
    "JO": "Jordan",
    "JP": "Japan",
    "KE": "Kenya",
    "KG": "Kyrgyzstan",
    "KH": "Cambodia",
    "KI": "Kiribati",
    "KM": "Comoros",
    "KN": "Saint Kitts and Nevis",
    "KP": "North Korea",
    "KR": "South Korea",
    "KW": "Kuwait",
    "KY": "Cayman Islands",
    "KZ": "Kazakhstan",
    "LA": "Laos",
    "LB": "Lebanon",
    "LC": "Saint Lucia",
    "LI": "Liechtenstein",
    "LK": "Sri Lanka",
    "LR": "Liberia",
    "LS": "Lesotho",
    "LT": "Lithuania",
    "LU": "Luxembourg",
    "LV": "Latvia",
    "LY": "Libya",
    "MA": "Morocco",
    "MC": "Monaco",
    "MD": "Moldova",
    "ME": "Montenegro",
    "MF": "Saint Martin (French part)",
    "MG": "Madagascar",
    "MH": "Marshall Islands",
    "MK": "North Macedonia",
    "ML": "Mali",
    "MM": "Myanmar",
    "MN": "Mongolia",
    "MO": "Macao",
    "MP": "Northern Mariana Islands",
    "MQ": "Martinique",
    "MR": "Mauritania",
    "MS": "Montserrat",
    "MT": "Malta",
    "MU": "Mauritius",
    "MV": "Maldives",
    "MW": "Malawi",
    "MX": "Mexico",
    "MY": "Malaysia",
    "MZ": "Mozambique",
    "NA": "Namibia",
    "NC": "New Caledonia",
    "NE": "Niger",
    "NF": "Norfolk Island",
    "NG": "Nigeria",
    "NI": "Nicaragua",
    "NL": "Netherlands",
    "NO": "Norway",
    "NP": "Nepal",
    "NR": "Naoero",
    "NU": "Niue",
    "NZ": "New Zealand",
    "OM": "Oman",
    "PA": "Panama",
    "PE": "Peru",
    "PF": "French Polynesia",
    "PG": "Papua New Guinea",
    "PH": "Philippines",
    "PK": "Pakistan",
    "PL": "Poland",
    "PM": "Saint Pierre and Miquelon",
    "PN": "Pitcairn",
    "PR": "Puerto Rico",
    "PS": "Palestine",
    "PT": "Portugal",
    "PW": "Palau",
    "PY": "Paraguay",
    "QA": "Qatar",
    "RE": "Réunion",
    "RO": "Romania",
    "RS": "Serbia",
    "RU": "Russia",
    "RW": "Rwanda",
    "SA": "Saudi Arabia",
    "SB": "Solomon Islands",
    "SC": "Seychelles",
    "SD": "Sudan",
    "SE": "Sweden",
    "SG": "Singapore",
    "SH": "Saint Helena",
    "SI": "Slovenia",
    "SJ": "Svalbard and Jan Mayen",
    "SK": "Slovakia",
    "SL": "Sierra Leone",
    "SM": "San Marino",
    "SN": "Senegal",
    "SO": "Somalia",
    "SR": "Suriname",
    "SS": "South Sudan",
    "ST": "Sao Tome and Principe",
    "SV": "El Salvador",
    "SX": "Sint Maarten (Dutch part)",
    "SY": "Syria",
    "SZ": "Eswatini",
    "TC": "Turks and Caicos Islands",
    "TD": "Chad",
    "TF": "French Southern Territories",
    "TG": "Togo",
    "TH": "Thailand",
    "TJ": "Tajikistan",
    "TK": "Tokelau",
    "TL": "Timor-Leste",
    "TM": "Turkmenistan",
    "TN": "Tunisia",
    "TO": "Tonga",
    "TR": "Türkiye",
    "TT": "Trinidad and Tobago",
    "TV": "Tuvalu",
    "TW": "Taiwan",
    "TZ": "Tanzania",
    "UA": "Ukraine",
    "UG": "Uganda",
    "UM": "United States Minor Outlying Islands",
    "US": "United States of America",
    "UY": "Uruguay",
    "UZ": "Uzbekistan",
    "VA": "Vatican City",
    "VC": "Saint Vincent and the Grenadines",
    "VE": "Venezuela",
    "VG": "Virgin Islands (British)",
    "VI": "Virgin Islands (U.S.)",
    "VN": "Vietnam",
    "VU": "Vanuatu",
    "WF": "Wallis and Futuna",
    "WS": "Samoa",
    "YE": "Yemen",
    "YT": "Mayotte",
    "ZA": "South Africa",
    "ZM": "Zambia",
    "ZW": "Zimbabwe",
}


# The app's search-document UPDATE as it was, for every profile.
UPDATE_SQL = """UPDATE profiles_mentorprofile AS p SET
  is_listed = (p.review_status = 'approved' AND p.is_active AND d.user_active
               AND (p.away_until IS NULL OR p.away_until <= %(today)s)),
  area_ids = COALESCE(d.area_ids, '{}'),
  programme_ids = COALESCE(d.programme_ids, '{}'),
  search_vector =
      setweight(to_tsvector(%(config)s, concat_ws(' ', d.full_name, p.headline, p.job_title)), 'A')
   || setweight(to_tsvector(%(config)s, concat_ws(' ', d.area_names, p.help_offered)), 'B')
   || setweight(to_tsvector(%(config)s, concat_ws(' ', p.organisation, p.department, p.course,
                                                  p.key_areas, p.moves_experience, d.jobs,
                                                  %(industries)s::jsonb ->> p.industry,
                                                  p.city, %(countries)s::jsonb ->> p.country)), 'C')
   || setweight(to_tsvector(%(config)s, coalesce(p.languages, '')), 'D')
FROM (
  SELECT mp.id, u.full_name, u.is_active AS user_active, areas.ids AS area_ids, areas.names AS area_names, jobs.text AS jobs,
         programmes.ids AS programme_ids
  FROM profiles_mentorprofile AS mp
  JOIN accounts_user AS u ON u.id = mp.user_id
  LEFT JOIN LATERAL (
    SELECT array_agg(a.id ORDER BY a.id) AS ids, string_agg(a.name, ' ') AS names
    FROM profiles_mentorprofile_areas AS pa
    JOIN profiles_expertisearea AS a ON a.id = pa.expertisearea_id
    WHERE pa.mentorprofile_id = mp.id
  ) AS areas ON TRUE
  LEFT JOIN LATERAL (
    SELECT string_agg(concat_ws(' ', j.title, j.organisation, j.description), ' ') AS text
    FROM profiles_jobhistoryentry AS j
    WHERE j.profile_id = mp.id
  ) AS jobs ON TRUE
  LEFT JOIN LATERAL (
    SELECT array_agg(m.programme_id ORDER BY m.programme_id) AS ids
    FROM profiles_membership AS m
    WHERE m.user_id = mp.user_id AND m.role = 'mentor' AND m.status = 'approved'
  ) AS programmes ON TRUE
  ) AS d
WHERE d.id = p.id
"""


def rebuild(apps, schema_editor):
    MentorProfile = apps.get_model("profiles", "MentorProfile")
    alias = schema_editor.connection.alias
    if not MentorProfile.objects.using(alias).exists():  # a new database: nothing to rebuild
        return
    params = {
        "config": SEARCH_CONFIG,
        "today": timezone.localdate(),  # a mentor away until today is listed again
        "countries": json.dumps(COUNTRIES),
        "industries": json.dumps(INDUSTRIES),
    }
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(UPDATE_SQL, params)


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0015_mentor_photo"),
    ]

    operations = [
        migrations.RunPython(rebuild, migrations.RunPython.noop, elidable=True),
    ]
