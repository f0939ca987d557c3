"""The forum programme and its rules. Nothing here imports aiogram."""
