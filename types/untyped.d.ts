// Packages that ship no TypeScript declarations.
declare module "snarkjs";
declare module "circomlibjs";
declare module "mnist";
declare module "circom_runtime";
