// Lerna/Nx set FORCE_COLOR; frames must be plain text for string assertions.
process.env.FORCE_COLOR = '0';
