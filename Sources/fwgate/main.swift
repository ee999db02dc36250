import FwgateCLI

// fwgate: the commands with the SQLite inventory. A run that names a postgresql:// inventory
// becomes fwgate-pg (beside this executable), which links the PostgreSQL driver.
FwgateMain.handOffToCentralBackend()
FwgateMain.main(central: nil)
