export { type Db, Store, type StoreShape } from "./Store"
