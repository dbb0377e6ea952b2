"""The waves of the study as shipped: T1 at 3 months and T3 at 3 years.

Plain data and one function that takes the model class, so the data
migration (historical model) and test fixtures (after a flush) share it.
"""

DEFAULT_WAVES = [
    {
        "code": "T1",
        "name": "3 maanden na diploma",
        "months_after_diploma": 3,
        "invitation_window_days": 90,
        "reminder_days": [7, 14],
        "closing_days": 42,
        "send_rate_per_minute": 600,
    },
    {
        "code": "T3",
        "name": "3 jaar na diploma",
        "months_after_diploma": 36,
        "invitation_window_days": 180,
        "reminder_days": [7, 14],
        "closing_days": 42,
        "send_rate_per_minute": 600,
    },
]


def ensure_default_waves(wave_model) -> None:
    for wave in DEFAULT_WAVES:
        wave_model.objects.get_or_create(code=wave["code"], defaults=wave)
