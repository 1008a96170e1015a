// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice TEST ONLY. ERC20 that, when armed, calls back into `target` with `data` during
///         every transfer / transferFrom (before moving the tokens), records whether the
///         re-entrant call succeeded and swallows its failure, then completes the transfer.
contract ReentrantToken is ERC20 {
    address public target;
    bytes public data;
    bool public armed;
    uint256 public attempts;
    uint256 public successes;
    bytes public lastRevert;

    constructor() ERC20("Reentrant", "REENT") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function arm(address target_, bytes calldata data_) external {
        target = target_;
        data = data_;
        armed = true;
    }

    function disarm() external {
        armed = false;
    }

    /// @notice The token contract acting as an account (e.g. withdrawing its market balance).
    function exec(address to, bytes calldata callData) external returns (bytes memory ret) {
        bool ok;
        (ok, ret) = to.call(callData);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 0x20), mload(ret))
            }
        }
    }

    function _update(address from, address to, uint256 value) internal override {
        if (armed && from != address(0)) {
            armed = false; // one shot per arming, avoids unbounded recursion
            attempts++;
            (bool ok, bytes memory ret) = target.call(data);
            if (ok) successes++;
            else lastRevert = ret;
        }
        super._update(from, to, value);
    }
}

/// @notice Hook interface of {HookToken} (ERC777 / ERC1363 style receiver callback).
interface ITokenReceiverHook {
    function onTokenReceived(address from, uint256 amount) external;
}

/// @notice TEST ONLY. ERC20 that calls `onTokenReceived` on recipients that registered a hook
///         (like ERC777's tokensReceived via ERC1820), after every transfer; a reverting hook
///         reverts the transfer.
contract HookToken is ERC20 {
    mapping(address => bool) public hooked;

    constructor() ERC20("Hook", "HOOK") {}

    function registerHook() external {
        hooked[msg.sender] = true;
    }

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (from != address(0) && hooked[to]) ITokenReceiverHook(to).onTokenReceived(from, value);
    }
}

/// @notice TEST ONLY. Receiver that re-enters `target` from the token hook.
contract ReentrantReceiver is ITokenReceiverHook {
    address public target;
    bytes public data;
    uint256 public reentries;
    uint256 public reentrySuccesses;
    bytes public lastRevert;
    bool public revertOnReceive;

    function configure(address target_, bytes calldata data_, bool revertOnReceive_) external {
        target = target_;
        data = data_;
        revertOnReceive = revertOnReceive_;
    }

    /// @notice Lets the test drive the receiver (it is the account in the market).
    function exec(address to, bytes calldata callData) external returns (bytes memory) {
        (bool ok, bytes memory ret) = to.call(callData);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 0x20), mload(ret))
            }
        }
        return ret;
    }

    function onTokenReceived(address, uint256) external {
        if (revertOnReceive) revert("receiver refuses");
        if (target == address(0) || reentries > 0) return;
        reentries++;
        (bool ok, bytes memory ret) = target.call(data);
        if (ok) reentrySuccesses++;
        else lastRevert = ret;
    }
}

/// @notice TEST ONLY. A fake job market reporting an arbitrary deadline window.
contract FakeMarketWindow {
    uint256 public maxDeadlineWindow;

    constructor(uint256 window) {
        maxDeadlineWindow = window;
    }

    function openJobsOf(address) external pure returns (uint256) {
        return 0;
    }
}
