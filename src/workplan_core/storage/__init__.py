"""Storage: the store protocol, its backends, and opening stores by URL.

```python
from workplan_core.storage import Put, open_store

with open_store("memory://") as store:
    store.declare("people", indexed=["team"])
    store.write([Put("people", "p-1", {"name": "Ada", "team": "t-1"})])
    print([r.key for r in store.scan("people", where={"team": "t-1"})])
```

* [Store][workplan_core.storage.protocol.Store] — the protocol every backend implements.
* [open_store][workplan_core.storage.registry.open_store] — `memory://`, `sqlite:///path.db`,
  `postgresql://…`, or any scheme a plugin registers.
* [Put][workplan_core.storage.records.Put], [Delete][workplan_core.storage.records.Delete],
  [StoredRecord][workplan_core.storage.records.StoredRecord],
  [Commit][workplan_core.storage.records.Commit] — the values it takes and returns.
* [get_as][workplan_core.storage.typed.get_as] and
  [scan_as][workplan_core.storage.typed.scan_as] — reads that return record objects,
  upcasting older schema versions.

The backends' modules (`memory`, `sqlite`, `postgres`) are imported only when used.
"""

from workplan_core.storage.errors import (
    BackendNotFoundError,
    CorruptRecordError,
    StoreBusyError,
    StoreClosedError,
)
from workplan_core.storage.protocol import ClosesOnExit, Store
from workplan_core.storage.records import (
    Commit,
    Delete,
    IndexValue,
    JsonRecord,
    Put,
    StoredRecord,
    Write,
)
from workplan_core.storage.registry import (
    backend_schemes,
    open_store,
    register_backend,
    unregister_backend,
)
from workplan_core.storage.typed import get_as, load_stored, scan_as

__all__ = [
    "BackendNotFoundError",
    "ClosesOnExit",
    "Commit",
    "CorruptRecordError",
    "Delete",
    "IndexValue",
    "JsonRecord",
    "Put",
    "Store",
    "StoreBusyError",
    "StoreClosedError",
    "StoredRecord",
    "Write",
    "backend_schemes",
    "get_as",
    "load_stored",
    "open_store",
    "register_backend",
    "scan_as",
    "unregister_backend",
]
