"""``/api/vendors``: the vendor master data (admins add, everyone reads)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi import status

from review_api import _queries
from review_api import schemas
from review_api.deps import CompanyDep
from review_api.deps import CurrentUser
from review_api.deps import RequireAdmin
from review_api.deps import SessionDep
from storage import models

router = APIRouter(prefix="/api/vendors", tags=["vendors"])


def _public(vendor: models.Vendor) -> schemas.VendorPublic:
    return schemas.VendorPublic.model_validate(vendor, from_attributes=True)


@router.get("", response_model=schemas.VendorsPublic)
def list_vendors(
    session: SessionDep, company: CompanyDep, _user: CurrentUser
) -> schemas.VendorsPublic:
    """List the company's vendors by name."""
    vendors = _queries.list_vendors(session, company=company)
    return schemas.VendorsPublic(data=[_public(v) for v in vendors], count=len(vendors))


@router.post("", response_model=schemas.VendorPublic, status_code=status.HTTP_201_CREATED)
def create_vendor(
    body: schemas.VendorCreate, session: SessionDep, company: CompanyDep, _user: RequireAdmin
) -> schemas.VendorPublic:
    """Add a vendor to the master data."""
    vendor = models.Vendor(company_id=company, **body.model_dump())
    session.add(vendor)
    session.commit()
    return _public(vendor)
