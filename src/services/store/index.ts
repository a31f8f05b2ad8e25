export { type Db, Store, type StoreRecovery, type StoreShape } from "./Store"
export { type Integrity, quickCheck } from "./integrity"
