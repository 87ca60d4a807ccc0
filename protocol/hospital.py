"""What a hospital user reads: the transfer packs of residents on their way to, or in, their hospital."""

from __future__ import annotations

from pydantic import BaseModel

from domain.homes import CareHome
from domain.residents import Resident
from domain.transfer import Transfer


class TransferPack(BaseModel):
    home: CareHome
    resident: Resident
    transfer: Transfer
