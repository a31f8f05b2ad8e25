export { type Db, Store, type StoreRecovery, type StoreShape } from "./Store"
