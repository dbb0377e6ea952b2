"""The graduate questionnaire (T1 and T3): answer codes, items, routing and page forms.

``choices`` holds the stored answer codes (imported by the model), ``instrument``
the items, their wording in Dutch and English and the routing as pure
functions, ``forms`` one crispy form per page, ``texts`` the page chrome.
"""
