import { expect, it } from 'vitest'
import { ASYMMETRIC_JWS_ALGORITHMS } from '../../src/auth/protocol/index.js'
import { JWS_ALGORITHMS } from '../../src/config/kinds.js'

/** config imports nothing from src (DESIGN §4), so it keeps a copy of the allow-list: keep them equal. */
it('authentication.algorithms accepts exactly the allow-list of auth/protocol', () => {
  expect([...JWS_ALGORITHMS]).toEqual([...ASYMMETRIC_JWS_ALGORITHMS])
})
