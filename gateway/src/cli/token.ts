// npm run token -- --role approver [--sub alice] [--supplier <id>]... [--expires 12h]
import { signDevToken, ROLES } from '@carbon-nexus/plugin-sdk';

const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.includes('-h')) {
  console.log(`usage: npm run token -- --role <${ROLES.join('|')}> [--sub NAME] [--supplier ID]... [--expires 12h]
Prints a development JWT signed with JWT_SECRET (default: the dev secret). Use it as "Authorization: Bearer <token>".`);
  process.exit(0);
}
const get = (flag: string) => {
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
};
const roles = argv.flatMap((a, i) => (a === '--role' ? [argv[i + 1]] : []));
if (!roles.length) roles.push('viewer');
for (const r of roles) {
  if (!(ROLES as readonly string[]).includes(r)) {
    console.error(`unknown role "${r}": choose from ${ROLES.join(', ')}`);
    process.exit(2);
  }
}
const suppliers = argv.flatMap((a, i) => (a === '--supplier' ? [argv[i + 1]] : []));
console.log(
  await signDevToken({
    sub: get('--sub') ?? `dev-${roles[0]}`,
    roles,
    supplierIds: suppliers.length ? suppliers : null,
    expiresIn: get('--expires'),
  }),
);
