// Ports only: the adapters live in ./sqlite and ./postgres and are imported by the composition
// root, so that loading tools never loads a database driver (DESIGN §4).
export type {
  ArtifactModel,
  ArtifactPayload,
  ArtifactStore,
  ConsumeResult,
  MemoryStore,
  QueryEmbedding,
  SigningKeyAlg,
  SigningKeyState,
  SigningKeyStore,
  Storage,
  StorageCapabilities,
  StoredEmbedding,
  TaskStore,
  StoredArtifact,
  StoredSigningKey,
  UserStore,
} from './ports.js'
export {
  ARTIFACT_MODELS,
  GRANT_BOUND_MODELS,
  SECRET_ID_MODELS,
  SIGNING_KEY_ALGS,
  SIGNING_KEY_STATES,
} from './ports.js'
