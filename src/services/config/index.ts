export { Config } from "./Config"
export { Paths, type PathsShape } from "./Paths"
