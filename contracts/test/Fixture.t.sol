// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ProofMeshToken} from "../ProofMeshToken.sol";
import {StakeRegistry} from "../StakeRegistry.sol";
import {ModelRegistry} from "../ModelRegistry.sol";
import {JobMarket} from "../JobMarket.sol";
import {IJobMarket} from "../interfaces/IJobMarket.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {MockShardVerifier} from "./MockShardVerifier.sol";

/// @notice Shared deployment + helpers for the Solidity test suites.
abstract contract Fixture is Test {
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint256 internal constant UNBONDING = 7 days;
    uint256 internal constant WINDOW = 1 days;
    uint96 internal constant FEE = 0.1 ether;
    uint96 internal constant SLASH = 10 ether;
    uint96 internal constant MIN_STAKE = 100 ether;
    uint96 internal constant PRICE0 = 1 ether;
    uint96 internal constant PRICE1 = 2 ether;
    uint32 internal constant C1 = 1;
    uint32 internal constant C2 = 2;
    bytes32 internal constant MODEL = keccak256("proofmesh/test-mlp-2");

    ProofMeshToken internal token;
    StakeRegistry internal stake;
    ModelRegistry internal models;
    JobMarket internal market;
    MockShardVerifier internal v0;
    MockShardVerifier internal v1;

    address internal coordinator = makeAddr("coordinator");
    address internal feeTo = makeAddr("feeTo");
    uint256 internal dAppKey = 0xDA99;
    address internal dApp;
    address internal op1;
    address internal op2;
    address internal op3;
    address internal op4;
    address internal opPoor;
    uint32 internal n1;
    uint32 internal n2;
    uint32 internal n3;
    uint32 internal n4;
    uint32 internal nPoor;
    /// @dev Ceremony contributors' operator keys (test only).
    uint256 internal constant CONTRIBUTOR1_KEY = 0xC0FFEE01;
    uint256 internal constant CONTRIBUTOR2_KEY = 0xC0FFEE02;
    bytes32 internal constant PTAU_HASH = keccak256("ptau");

    function setUp() public virtual {
        _deploy(IERC20(address(0)));
    }

    /// @dev Deploys the protocol with `customToken` (or a fresh ProofMeshToken if zero).
    function _deploy(IERC20 customToken) internal {
        token = new ProofMeshToken(address(this), false);
        IERC20 t = address(customToken) == address(0) ? IERC20(address(token)) : customToken;
        stake = new StakeRegistry(t, UNBONDING, address(this));
        models = new ModelRegistry(address(this));
        market = new JobMarket(
            JobMarket.Params({
                token: t,
                stakeRegistry: stake,
                modelRegistry: models,
                maxDeadlineWindow: WINDOW,
                coordinatorFee: FEE,
                slashAmount: SLASH,
                admin: address(this),
                coordinator: coordinator,
                feeRecipient: feeTo
            })
        );
        stake.setJobMarket(address(market));
        stake.createCluster("eu-west", "eu-west-1", MIN_STAKE);
        stake.createCluster("us-east", "us-east-1", MIN_STAKE);
        v0 = new MockShardVerifier();
        v1 = new MockShardVerifier();
        IModelRegistry.Shard[] memory shards = new IModelRegistry.Shard[](2);
        shards[0] = IModelRegistry.Shard(address(v0), keccak256("w0"), 1 << 20, PRICE0);
        shards[1] = IModelRegistry.Shard(address(v1), keccak256("w1"), 1 << 20, PRICE1);
        vm.roll(block.number + 100); // a beacon block in the past, with its hash available
        models.registerModel(MODEL, shards, _ceremony(MODEL, 2));

        dApp = vm.addr(dAppKey);
        if (address(customToken) == address(0)) {
            (op1, n1) = _node("op1", C1, 200 ether);
            (op2, n2) = _node("op2", C1, 200 ether);
            (op3, n3) = _node("op3", C1, 200 ether);
            (op4, n4) = _node("op4", C2, 200 ether);
            (opPoor, nPoor) = _node("opPoor", C1, 0);
            _fund(dApp, 100 ether);
        }
    }

    /// @dev EIP-712 digest of a ceremony contribution, computed independently of the contract.
    function _contributionDigest(bytes32 modelId, uint256 index, bytes32 transcriptHash)
        internal
        pure
        returns (bytes32)
    {
        bytes32 domain = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version)"), keccak256("ProofMesh Ceremony"), keccak256("1")
            )
        );
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256("Contribution(bytes32 modelId,uint256 index,bytes32 transcriptHash)"),
                modelId,
                index,
                transcriptHash
            )
        );
        return keccak256(abi.encodePacked("\x19\x01", domain, structHash));
    }

    function _signContribution(uint256 key, bytes32 modelId, uint256 index, bytes32 transcriptHash)
        internal
        pure
        returns (bytes memory)
    {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, _contributionDigest(modelId, index, transcriptHash));
        return abi.encodePacked(r, s, v);
    }

    /// @dev A valid ceremony record for `modelId` with `shardCount` shards: two signed contributions
    ///      and the previous block as beacon (call after a `vm.roll`, so that block exists).
    function _ceremony(bytes32 modelId, uint256 shardCount)
        internal
        view
        returns (IModelRegistry.CeremonyRecord memory rec)
    {
        rec.ptauHash = PTAU_HASH;
        rec.beaconBlock = uint64(block.number - 1);
        rec.beaconHash = blockhash(block.number - 1);
        rec.shards = new IModelRegistry.ShardKeys[](shardCount);
        for (uint256 k; k < shardCount; ++k) {
            rec.shards[k] = IModelRegistry.ShardKeys(keccak256(abi.encode("zkey", k)), keccak256(abi.encode("vkey", k)));
        }
        uint256[2] memory keys = [CONTRIBUTOR1_KEY, CONTRIBUTOR2_KEY];
        rec.contributions = new IModelRegistry.Contribution[](2);
        for (uint256 i; i < 2; ++i) {
            bytes32 transcript = keccak256(abi.encode("transcript", modelId, i));
            rec.contributions[i] = IModelRegistry.Contribution(
                vm.addr(keys[i]), transcript, _signContribution(keys[i], modelId, i, transcript)
            );
        }
    }

    function _mint(address to, uint256 amount) internal virtual {
        token.mint(to, amount);
    }

    function _node(string memory name, uint32 cluster, uint256 amount) internal returns (address op, uint32 id) {
        op = makeAddr(name);
        bytes32[] memory ids = new bytes32[](1);
        ids[0] = MODEL;
        vm.prank(op);
        id = stake.registerNode(string.concat("http://", name, ".local:9000"), cluster, 8 << 30, ids, op);
        if (amount != 0) {
            _mint(op, amount);
            vm.startPrank(op);
            IERC20(address(stake.token())).approve(address(stake), amount);
            stake.stake(amount);
            vm.stopPrank();
        }
    }

    function _fund(address who, uint256 amount) internal {
        _mint(who, amount);
        vm.startPrank(who);
        IERC20(address(market.token())).approve(address(market), amount);
        market.deposit(who, amount);
        vm.stopPrank();
    }

    function _req(uint64 nonce) internal view returns (IJobMarket.JobRequest memory) {
        return IJobMarket.JobRequest({
            dApp: dApp,
            modelId: MODEL,
            inputCommitment: uint256(keccak256(abi.encode("input", nonce))) % R,
            maxFee: 10 ether,
            deadline: uint64(block.timestamp + 1 hours),
            nonce: nonce,
            clusterId: C1
        });
    }

    /// @dev EIP-712 digest computed independently of the contract.
    function _digest(IJobMarket.JobRequest memory req) internal view returns (bytes32) {
        bytes32 typeHash = keccak256(
            "JobRequest(address dApp,bytes32 modelId,uint256 inputCommitment,uint128 maxFee,uint64 deadline,uint64 nonce,uint32 clusterId)"
        );
        bytes32 domain = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("ProofMesh JobMarket"),
                keccak256("1"),
                block.chainid,
                address(market)
            )
        );
        bytes32 structHash = keccak256(
            abi.encode(
                typeHash, req.dApp, req.modelId, req.inputCommitment, req.maxFee, req.deadline, req.nonce, req.clusterId
            )
        );
        return keccak256(abi.encodePacked("\x19\x01", domain, structHash));
    }

    function _sign(IJobMarket.JobRequest memory req, uint256 key) internal view returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, _digest(req));
        return abi.encodePacked(r, s, v);
    }

    function _nodes(uint32 a, uint32 b) internal pure returns (uint32[] memory ids) {
        ids = new uint32[](2);
        ids[0] = a;
        ids[1] = b;
    }

    function _createSigned(IJobMarket.JobRequest memory req) internal returns (uint256 jobId) {
        bytes memory sig = _sign(req, dAppKey);
        vm.prank(coordinator);
        jobId = market.createJobFor(req, sig);
    }

    function _createAssigned(uint64 nonce, uint32 a, uint32 b) internal returns (uint256 jobId, uint256 inCommit) {
        IJobMarket.JobRequest memory req = _req(nonce);
        bytes memory sig = _sign(req, dAppKey);
        vm.prank(coordinator);
        jobId = market.createAndAssign(req, sig, _nodes(a, b));
        inCommit = req.inputCommitment;
    }

    /// @dev The binding formula, written independently of the contract.
    function _binding(uint256 jobId, uint256 stage, address prover) internal view returns (uint256) {
        return uint256(keccak256(abi.encode(block.chainid, address(market), jobId, stage, prover))) % R;
    }

    function _proof(uint256 salt)
        internal
        pure
        returns (uint256[2] memory a, uint256[2][2] memory b, uint256[2] memory c)
    {
        a = [uint256(keccak256(abi.encode(salt, 1))) % R, uint256(keccak256(abi.encode(salt, 2))) % R];
        b = [[uint256(salt) % R, uint256(3)], [uint256(4), uint256(5)]];
        c = [uint256(6), uint256(keccak256(abi.encode(salt, 7))) % R];
    }

    function _submit(address op, uint256 jobId, uint256 stage, uint256[4] memory pub, uint256 salt) internal {
        (uint256[2] memory a, uint256[2][2] memory b, uint256[2] memory c) = _proof(salt);
        vm.prank(op);
        market.submitStage(jobId, stage, a, b, c, pub);
    }

    /// @dev Honest stage: right inCommit, binding for `op`, result only on the last stage.
    function _prove(address op, uint256 jobId, uint256 stage, uint256 inCommit, uint256 outCommit, uint256 result)
        internal
    {
        _submit(op, jobId, stage, [inCommit, outCommit, _binding(jobId, stage, op), result], stage);
    }

    /// @dev Full honest run of a 2-stage job on nodes (n1, n2); returns the job id.
    function _runJob(uint64 nonce, uint256 result) internal returns (uint256 jobId) {
        uint256 inCommit;
        (jobId, inCommit) = _createAssigned(nonce, n1, n2);
        _prove(op1, jobId, 0, inCommit, 111, 0);
        _prove(op2, jobId, 1, 111, 222, result);
    }
}
