export { runStoreContract } from "./contract.js";
export { claimOne, newItem, type StoreContractFixture, type StoreContractOptions } from "./fixture.js";
