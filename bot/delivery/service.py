"""What the delivery services built once by the composition root share.

The departures and the pinned day each need the database, the programme, the one paced
sender, the translations and the clock; they take them by keyword, from this base.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.utils.i18n import I18n

from bot.delivery.sender import PacedSender
from db.connection import Database
from schedule.clock import Clock
from schedule.services.programme import Programme


# eq=False: compared and hashed by identity, as services are (their bound methods are
# subscribed to the programme's changes).
@dataclass(eq=False, kw_only=True)
class DeliveryService:
    db: Database
    programme: Programme
    sender: PacedSender
    i18n: I18n
    clock: Clock
