import FwgateCLI
import PostgresBackend

// fwgate-pg: the same commands as fwgate, plus the PostgreSQL inventory (postgres-nio).
// fwgate hands every run that names a postgresql:// inventory here; it may also be run itself.
FwgateMain.main(central: PostgresInventory.opener)
