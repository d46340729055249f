// The parameter validator of every action and event (fastest-validator through Moleculer), strict about
// null. Out of the box fastest-validator reads `null` as "absent" for an optional field, so
// `{"quantity": null}` passed as if no quantity had been sent and reached an actor. Here null is a
// value like any other, and no rule accepts it unless its schema says `nullable: true`: a field sent
// as null is a 400 VALIDATION_ERROR naming it, whether the field is required or optional.
import fastestValidator from "fastest-validator";
import Moleculer from "moleculer";
import type { BrokerOptions } from "moleculer";
import { validationProblemsMax } from "../domain/limits.ts";

// fastest-validator is CommonJS whose typings declare an ES default export: unwrap by hand.
type ValidatorClass = typeof fastestValidator.default;
const Validator = ((fastestValidator as any).default ?? fastestValidator) as ValidatorClass;

/** `nullable: false` as the default of every rule type (a schema's own `nullable: true` still wins). */
function nullRefusedByEveryRule(): Record<string, { nullable: false }> {
  // `rules` is public in fastest-validator but missing from its typings.
  const ruleTypes = Object.keys((new Validator() as any).rules as Record<string, unknown>);
  return Object.fromEntries(ruleTypes.map((type) => [type, { nullable: false as const }]));
}

/** The options fastest-validator is built with (exported for tests that validate without a broker). */
export const validatorOptions = {
  // With this option a rule's `nullable` decides about null, not its `optional`...
  considerNullAsAValue: true,
  // ...and every rule says no, unless its schema says otherwise.
  defaults: nullRefusedByEveryRule(),
  messages: { required: "The '{field}' field is required and may not be null." },
};

type Check = ((params: unknown, options?: unknown) => unknown) & { async?: boolean };

/** At most validationProblemsMax problems in an answer (the first ones). */
function boundedProblems(result: unknown): unknown {
  return Array.isArray(result) && result.length > validationProblemsMax
    ? result.slice(0, validationProblemsMax)
    : result;
}

const FastestBase = Moleculer.Validators.Fastest as unknown as new (options: unknown) => {
  compile(schema: unknown): Check;
};

/** Moleculer's fastest-validator whose checks answer a bounded list of problems. */
export class BoundedFastestValidator extends FastestBase {
  override compile(schema: unknown): Check {
    const check = super.compile(schema);
    const bounded: Check = check.async
      ? (params, options) => Promise.resolve(check(params, options)).then(boundedProblems)
      : (params, options) => boundedProblems(check(params, options));
    bounded.async = check.async;
    return bounded;
  }
}

/** Moleculer's `validator` broker option. */
export const strictValidator = (): BrokerOptions["validator"] =>
  new BoundedFastestValidator(validatorOptions) as unknown as BrokerOptions["validator"];
