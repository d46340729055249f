// The parameter validator of every action and event (fastest-validator through Moleculer), strict about
// null. Out of the box fastest-validator reads `null` as "absent" for an optional field, so
// `{"quantity": null}` passed as if no quantity had been sent and reached an actor. Here null is a
// value like any other, and no rule accepts it unless its schema says `nullable: true`: a field sent
// as null is a 400 VALIDATION_ERROR naming it, whether the field is required or optional.
import fastestValidator from "fastest-validator";
import type { BrokerOptions } from "moleculer";

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

/** Moleculer's `validator` broker option. */
export const strictValidator = (): BrokerOptions["validator"] => ({
  type: "Fastest",
  options: validatorOptions,
});
