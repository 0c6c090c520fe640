// The names the delivery tests (test/streaming/delivery.test.ts) import,
// from the helpers that now hold them: stan-sub.ts (recording
// subscriptions), stan.ts (publishing) and stan-raw.ts (the raw client).

export {
  closeSub,
  exactly,
  range,
  subscribe,
  uniqueId,
  variants,
  Sub as SubHandle,
  type Got,
  type SubOpts as SubOptions,
  type Variant,
} from './stan-sub.js';
export { pubResult } from './stan.js';
export { errText, RawSession as RawStan, type RawSub } from './stan-raw.js';
