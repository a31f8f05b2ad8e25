export { Config, type DeepPartial, type LoadedConfig, loadConfig } from "./Config"
export { Paths, type PathsShape } from "./Paths"
export { ensureProjectStateDir, projectStateDir } from "./projectState"
export { setTierModels } from "./configWrite"
