// Loaded before every mocha run: a stray promise rejection fails the run instead of passing unseen.
const rejections: unknown[] = [];
process.on('unhandledRejection', (reason) => {
  rejections.push(reason);
  // eslint-disable-next-line no-console
  console.error('unhandled rejection:', reason);
});

export const mochaHooks = {
  afterEach(this: Mocha.Context) {
    if (rejections.length) {
      const reasons = rejections.splice(0).map(String).join('; ');
      throw new Error(`unhandled rejection during the test: ${reasons}`);
    }
  },
};
