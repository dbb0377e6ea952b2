"""A graduate's answers page by page, as a page form cleans them (typed values).

For tests that answer a whole survey without a browser (the response
service, the link's SQL, the report cube fed by the survey).
"""

# An employee at T1, every page of the route up to the last.
EMPLOYEE_ROUTE = [
    ("nu", {"activity": ["employee"]}),
    ("werk", {"hours_per_week": 38, "contract": "permanent", "wage_band": "2500"}),
    ("functie", {"job_title": "Kok", "job_tasks": "Koken", "occupation_group": "5"}),
    ("werkgever", {"branch": "I", "employer_name": "Hotel", "workplace": "1012", "job_route": "internship"}),
    ("aansluiting", {"level_match": "same", "field_match": "own", "diploma_needed": "level_field"}),
    ("inkomen", {"benefit": "none"}),
    ("terugblik", {"meaningful": 4, "fits_plans": 4, "uses_learning": 5, "preparation": 4}),
    ("opleiding", {"missed": ["digital"], "choose_again": "yes"}),
]
# The last page ("contact"), which completes the response.
LAST_PAGE = {"recontact_consent": True, "private_email": "nieuw@example.com", "network": ["mentoring"]}
