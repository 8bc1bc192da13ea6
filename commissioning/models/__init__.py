"""The core domain every other app stands on."""

from .access import ApiToken, Membership
from .imports import DatasetImport
from .organisations import (
    CCG,
    CommissionedProvider,
    Locality,
    PartnerOrganisation,
    Practice,
    PracticeListSize,
    Provider,
)
from .people import GoverningBodyMembership, Person

__all__ = [
    "CCG",
    "ApiToken",
    "CommissionedProvider",
    "DatasetImport",
    "GoverningBodyMembership",
    "Locality",
    "Membership",
    "PartnerOrganisation",
    "Person",
    "Practice",
    "PracticeListSize",
    "Provider",
]
