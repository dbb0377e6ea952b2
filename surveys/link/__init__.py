"""The graduate's side behind the personal link, in one place.

``tokens``: the token's shape in the URL and the one read of the invitation
behind it; ``ratelimit``: the limit on guessing tokens; ``answers``: what a
link shows, where the graduate continues, saving a page; ``views`` and
``urls``: the questionnaire page by page, and opt-out. Status moves go
through ``surveys.lifecycle``; the questions and routing are
``surveys.questionnaire``'s.
"""
