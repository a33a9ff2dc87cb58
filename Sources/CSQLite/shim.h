#include <sqlite3.h>

/// SQLITE_TRANSIENT is a cast macro Swift cannot import: bind calls copy the text with it.
static inline sqlite3_destructor_type tessera_sqlite_transient(void) { return SQLITE_TRANSIENT; }
