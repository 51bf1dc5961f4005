// Runs every project's specs in one jest process: `npx jest` at the root.
const { getJestProjectsAsync } = require('@nx/jest');

module.exports = async () => ({ projects: await getJestProjectsAsync() });
