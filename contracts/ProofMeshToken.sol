// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @title ProofMeshToken
/// @notice Test/demo ERC20 used for stake, job escrow and payments. The owner mints; when the
///         faucet is enabled (local demo networks) anyone can mint a capped amount to itself.
contract ProofMeshToken is ERC20, Ownable {
    /// @notice Most a single `faucet` call can mint.
    uint256 public constant FAUCET_MAX = 10_000 ether;

    /// @notice Whether `faucet` is open (fixed at deployment).
    bool public immutable faucetEnabled;

    /// @notice The faucet is disabled on this deployment.
    error ProofMeshToken_FaucetDisabled();
    /// @notice Requested more than `FAUCET_MAX`.
    error ProofMeshToken_FaucetAmountTooLarge(uint256 amount, uint256 max);

    /// @param owner_ Account allowed to mint.
    /// @param faucetEnabled_ Open the public faucet (local demo only).
    constructor(address owner_, bool faucetEnabled_) ERC20("ProofMesh", "PMESH") Ownable(owner_) {
        faucetEnabled = faucetEnabled_;
    }

    /// @notice Mints `amount` to `to` (owner only).
    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }

    /// @notice Mints up to `FAUCET_MAX` to the caller when the faucet is enabled.
    function faucet(uint256 amount) external {
        if (!faucetEnabled) revert ProofMeshToken_FaucetDisabled();
        if (amount > FAUCET_MAX) revert ProofMeshToken_FaucetAmountTooLarge(amount, FAUCET_MAX);
        _mint(msg.sender, amount);
    }
}
