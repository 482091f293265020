/**
 * The key of the store's raw-SQL method. Only lib/store/testing.ts hands it out (to tests, benches
 * and test helpers: the layer rule keeps every other file from importing that), so whoever does
 * not import it cannot call the method.
 */
export const RAW_SQL: unique symbol = Symbol('getihu.store.rawSql');
