export { Config, type DeepPartial, type LoadedConfig } from "./Config"
export { Paths, type PathsShape } from "./Paths"
export { ensureProjectStateDir, projectStateDir } from "./projectState"
export { setTierModels } from "./configWrite"
