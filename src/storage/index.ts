// Ports only: the adapters live in ./sqlite and ./postgres and are imported by the composition
// root, so that loading tools never loads a database driver (DESIGN §4).
export type {
  MemoryStore,
  QueryEmbedding,
  Storage,
  StorageCapabilities,
  StoredEmbedding,
  TaskStore,
  UserStore,
} from './ports.js'
