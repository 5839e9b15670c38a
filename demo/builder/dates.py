"""Dates written the way Indonesian sites write them: "Senin, 18 November 2024 - 19:15 WIB"."""

from __future__ import annotations

from datetime import datetime

__all__ = ["DAYS", "MONTHS", "indonesian_date"]

DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)


def indonesian_date(moment: datetime, template: str, zone: str) -> str:
    """Fill ``template`` ({day}, {d}, {dd}, {month}, {mm}, {yyyy}, {HH}, {MM}, {zone}).

    >>> from datetime import timedelta, timezone
    >>> wib = timezone(timedelta(hours=7))
    >>> moment = datetime(2024, 11, 18, 19, 15, tzinfo=wib)
    >>> indonesian_date(moment, "{day}, {d} {month} {yyyy}", "WIB")
    'Senin, 18 November 2024'
    """
    return template.format(
        day=DAYS[moment.weekday()],
        d=moment.day,
        dd=f"{moment.day:02d}",
        month=MONTHS[moment.month - 1],
        mm=f"{moment.month:02d}",
        yyyy=moment.year,
        HH=f"{moment.hour:02d}",
        MM=f"{moment.minute:02d}",
        zone=zone,
    )
