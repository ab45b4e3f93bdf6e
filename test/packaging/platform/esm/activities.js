export async function greet(name) {
  return `welcome aboard, ${name}`;
}
