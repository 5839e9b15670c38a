"""Place names that open Indonesian datelines, for datelines written with a comma only.

"Tenggarong, Pemerintah Kabupaten ..." is a dateline; "Tenggarong, Samarinda dan Bontang
mendapat ..." is a sentence. Without a dash the place must be a known one: the province
capitals and large cities, every regency and city of East Kalimantan and the districts
(kecamatan) of Kutai Kartanegara, whose press releases this project follows most.
"""

from __future__ import annotations

__all__ = ["KNOWN_PLACES", "is_known_place"]

_NATIONAL = (
    "Jakarta", "Bandung", "Surabaya", "Semarang", "Yogyakarta", "Solo", "Malang", "Bogor",
    "Depok", "Tangerang", "Bekasi", "Serang", "Medan", "Banda Aceh", "Padang", "Pekanbaru",
    "Jambi", "Bengkulu", "Palembang", "Bandar Lampung", "Bandarlampung", "Pangkalpinang",
    "Tanjungpinang", "Batam", "Denpasar", "Mataram", "Kupang", "Pontianak", "Banjarmasin",
    "Banjarbaru", "Palangka Raya", "Palangkaraya", "Tanjung Selor", "Tarakan", "Manado",
    "Gorontalo", "Palu", "Makassar", "Kendari", "Mamuju", "Ambon", "Ternate", "Sofifi",
    "Jayapura", "Manokwari", "Sorong", "Merauke",
)  # fmt: skip
_EAST_KALIMANTAN = (
    "Indonesia", "Kalimantan Timur", "Kaltim", "Samarinda", "Balikpapan", "Bontang",
    "Kutai Kartanegara", "Kukar", "Kutai Timur", "Kutim",
    "Kutai Barat", "Kubar", "Berau", "Paser", "Penajam Paser Utara", "PPU", "Penajam",
    "Mahakam Ulu", "Mahulu", "Sangatta", "Sendawar", "Tanah Grogot", "Tanjung Redeb",
    "Ujoh Bilang",
)  # fmt: skip
_KUKAR_DISTRICTS = (
    "Tenggarong", "Tenggarong Seberang", "Anggana", "Kembang Janggut", "Kenohan", "Kota Bangun",
    "Kota Bangun Darat", "Loa Janan", "Loa Kulu", "Marang Kayu", "Muara Badak", "Muara Jawa",
    "Muara Kaman", "Muara Muntai", "Muara Wis", "Samboja", "Samboja Barat", "Sanga-Sanga",
    "Sebulu", "Tabang",
)  # fmt: skip

KNOWN_PLACES: frozenset[str] = frozenset(
    name.casefold() for name in (*_NATIONAL, *_EAST_KALIMANTAN, *_KUKAR_DISTRICTS)
)


def is_known_place(name: str) -> bool:
    """Whether ``name`` (any case, spaces collapsed) is a known dateline place.

    >>> is_known_place("TENGGARONG"), is_known_place("Pemerintah")
    (True, False)
    """
    return " ".join(name.split()).casefold() in KNOWN_PLACES
