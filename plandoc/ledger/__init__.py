"""The 督办台账 (ledger): an xlsx workbook to track a plan's tasks all year (write), carried
over to a revised plan without losing what staff typed (update), handed out to units and
collected back (collect), and read for reminders of what is overdue or due (remind).  总台账 is
the one place of record; the words and columns are data (plandoc/data/ledger.toml)."""
from .collect import CollectReport, Conflict, collect
from .model import Ledger, LedgerError, Typed
from .read import check_not_open, read_ledger, read_ledger_bytes
from .remind import UnitReminder, reminders
from .spec import Spec, load_spec
from .update import UpdateReport, update_ledger
from .write import Options, Units, copy_names, render_copy, render_ledger, task_units

__all__ = ["collect", "CollectReport", "Conflict", "Ledger", "LedgerError", "Typed", "read_ledger",
           "check_not_open", "read_ledger_bytes", "copy_names", "reminders", "UnitReminder", "Spec", "load_spec", "update_ledger", "UpdateReport",
           "Options", "Units", "render_copy", "render_ledger", "task_units"]
