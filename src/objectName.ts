/** The name an object was reached by (`getByName`/`idFromName`): its user id or its scope. */
export function objectName(ctx: DurableObjectState): string {
  const name = ctx.id.name;
  if (name === undefined) throw new Error("this object must be reached by name");
  return name;
}
