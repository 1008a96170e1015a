// GENERATED — do not edit. Source: artifacts/contracts/StakeRegistry.sol/StakeRegistry.json (run `npm run gen:abis`).

export const stakeRegistryAbi = [
  {
    "inputs": [
      {
        "internalType": "contract IERC20",
        "name": "token_",
        "type": "address"
      },
      {
        "internalType": "uint256",
        "name": "unbondingPeriod_",
        "type": "uint256"
      },
      {
        "internalType": "address",
        "name": "owner_",
        "type": "address"
      }
    ],
    "stateMutability": "nonpayable",
    "type": "constructor"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "owner",
        "type": "address"
      }
    ],
    "name": "OwnableInvalidOwner",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "account",
        "type": "address"
      }
    ],
    "name": "OwnableUnauthorizedAccount",
    "type": "error"
  },
  {
    "inputs": [],
    "name": "ReentrancyGuardReentrantCall",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "token",
        "type": "address"
      }
    ],
    "name": "SafeERC20FailedOperation",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "uint32",
        "name": "nodeId",
        "type": "uint32"
      },
      {
        "internalType": "uint32",
        "name": "clusterId",
        "type": "uint32"
      }
    ],
    "name": "StakeRegistry_AlreadyInCluster",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "operator",
        "type": "address"
      },
      {
        "internalType": "uint32",
        "name": "nodeId",
        "type": "uint32"
      }
    ],
    "name": "StakeRegistry_AlreadyRegistered",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "uint32",
        "name": "nodeId",
        "type": "uint32"
      },
      {
        "internalType": "uint256",
        "name": "amount",
        "type": "uint256"
      },
      {
        "internalType": "uint256",
        "name": "stake",
        "type": "uint256"
      }
    ],
    "name": "StakeRegistry_AmountExceedsStake",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "uint256",
        "name": "amount",
        "type": "uint256"
      },
      {
        "internalType": "uint256",
        "name": "treasury",
        "type": "uint256"
      }
    ],
    "name": "StakeRegistry_AmountExceedsTreasury",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "uint256",
        "name": "amount",
        "type": "uint256"
      }
    ],
    "name": "StakeRegistry_AmountTooLarge",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "uint256",
        "name": "unbondingPeriod",
        "type": "uint256"
      },
      {
        "internalType": "uint256",
        "name": "max",
        "type": "uint256"
      }
    ],
    "name": "StakeRegistry_BadUnbondingPeriod",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "uint32",
        "name": "clusterId",
        "type": "uint32"
      }
    ],
    "name": "StakeRegistry_ClusterInactive",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "uint256",
        "name": "length",
        "type": "uint256"
      },
      {
        "internalType": "uint256",
        "name": "max",
        "type": "uint256"
      }
    ],
    "name": "StakeRegistry_EndpointTooLong",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "uint32",
        "name": "nodeId",
        "type": "uint32"
      },
      {
        "internalType": "uint256",
        "name": "stake",
        "type": "uint256"
      },
      {
        "internalType": "uint256",
        "name": "minStake",
        "type": "uint256"
      }
    ],
    "name": "StakeRegistry_InsufficientStake",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "jobMarket",
        "type": "address"
      }
    ],
    "name": "StakeRegistry_JobMarketAlreadySet",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "uint32",
        "name": "nodeId",
        "type": "uint32"
      },
      {
        "internalType": "uint256",
        "name": "unbonding",
        "type": "uint256"
      }
    ],
    "name": "StakeRegistry_NodeUnbonding",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "uint32",
        "name": "nodeId",
        "type": "uint32"
      },
      {
        "internalType": "uint32",
        "name": "clusterId",
        "type": "uint32"
      }
    ],
    "name": "StakeRegistry_NotInCluster",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "operator",
        "type": "address"
      }
    ],
    "name": "StakeRegistry_NotRegistered",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "uint32",
        "name": "nodeId",
        "type": "uint32"
      }
    ],
    "name": "StakeRegistry_NothingUnbonding",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "caller",
        "type": "address"
      }
    ],
    "name": "StakeRegistry_OnlyJobMarket",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "uint32",
        "name": "nodeId",
        "type": "uint32"
      },
      {
        "internalType": "uint256",
        "name": "openJobs",
        "type": "uint256"
      }
    ],
    "name": "StakeRegistry_StakeLocked",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "uint256",
        "name": "count",
        "type": "uint256"
      },
      {
        "internalType": "uint256",
        "name": "max",
        "type": "uint256"
      }
    ],
    "name": "StakeRegistry_TooManyModels",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "uint32",
        "name": "nodeId",
        "type": "uint32"
      },
      {
        "internalType": "uint40",
        "name": "unbondEnd",
        "type": "uint40"
      }
    ],
    "name": "StakeRegistry_UnbondingNotFinished",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "uint256",
        "name": "unbondingPeriod",
        "type": "uint256"
      },
      {
        "internalType": "uint256",
        "name": "maxDeadlineWindow",
        "type": "uint256"
      }
    ],
    "name": "StakeRegistry_UnbondingTooShort",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "uint32",
        "name": "clusterId",
        "type": "uint32"
      }
    ],
    "name": "StakeRegistry_UnknownCluster",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "uint32",
        "name": "nodeId",
        "type": "uint32"
      }
    ],
    "name": "StakeRegistry_UnknownNode",
    "type": "error"
  },
  {
    "inputs": [],
    "name": "StakeRegistry_ZeroAddress",
    "type": "error"
  },
  {
    "inputs": [],
    "name": "StakeRegistry_ZeroAmount",
    "type": "error"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "uint32",
        "name": "clusterId",
        "type": "uint32"
      },
      {
        "indexed": false,
        "internalType": "string",
        "name": "label",
        "type": "string"
      },
      {
        "indexed": false,
        "internalType": "string",
        "name": "region",
        "type": "string"
      },
      {
        "indexed": false,
        "internalType": "uint96",
        "name": "minStake",
        "type": "uint96"
      }
    ],
    "name": "ClusterCreated",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "uint32",
        "name": "nodeId",
        "type": "uint32"
      },
      {
        "indexed": true,
        "internalType": "uint32",
        "name": "clusterId",
        "type": "uint32"
      }
    ],
    "name": "ClusterJoined",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "uint32",
        "name": "nodeId",
        "type": "uint32"
      },
      {
        "indexed": true,
        "internalType": "uint32",
        "name": "clusterId",
        "type": "uint32"
      }
    ],
    "name": "ClusterLeft",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "uint32",
        "name": "clusterId",
        "type": "uint32"
      },
      {
        "indexed": false,
        "internalType": "uint96",
        "name": "minStake",
        "type": "uint96"
      },
      {
        "indexed": false,
        "internalType": "bool",
        "name": "active",
        "type": "bool"
      }
    ],
    "name": "ClusterUpdated",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "address",
        "name": "jobMarket",
        "type": "address"
      }
    ],
    "name": "JobMarketSet",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "uint32",
        "name": "nodeId",
        "type": "uint32"
      },
      {
        "indexed": true,
        "internalType": "address",
        "name": "operator",
        "type": "address"
      },
      {
        "indexed": false,
        "internalType": "address",
        "name": "signer",
        "type": "address"
      },
      {
        "indexed": false,
        "internalType": "uint64",
        "name": "memoryBytes",
        "type": "uint64"
      },
      {
        "indexed": false,
        "internalType": "string",
        "name": "endpoint",
        "type": "string"
      },
      {
        "indexed": false,
        "internalType": "bytes32[]",
        "name": "modelIds",
        "type": "bytes32[]"
      }
    ],
    "name": "NodeRegistered",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "uint32",
        "name": "nodeId",
        "type": "uint32"
      },
      {
        "indexed": false,
        "internalType": "address",
        "name": "signer",
        "type": "address"
      },
      {
        "indexed": false,
        "internalType": "uint64",
        "name": "memoryBytes",
        "type": "uint64"
      },
      {
        "indexed": false,
        "internalType": "string",
        "name": "endpoint",
        "type": "string"
      },
      {
        "indexed": false,
        "internalType": "bytes32[]",
        "name": "modelIds",
        "type": "bytes32[]"
      }
    ],
    "name": "NodeUpdated",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "address",
        "name": "previousOwner",
        "type": "address"
      },
      {
        "indexed": true,
        "internalType": "address",
        "name": "newOwner",
        "type": "address"
      }
    ],
    "name": "OwnershipTransferred",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "uint32",
        "name": "nodeId",
        "type": "uint32"
      },
      {
        "indexed": false,
        "internalType": "uint256",
        "name": "requested",
        "type": "uint256"
      },
      {
        "indexed": false,
        "internalType": "uint256",
        "name": "fromStake",
        "type": "uint256"
      },
      {
        "indexed": false,
        "internalType": "uint256",
        "name": "fromUnbonding",
        "type": "uint256"
      }
    ],
    "name": "Slashed",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "uint32",
        "name": "nodeId",
        "type": "uint32"
      },
      {
        "indexed": false,
        "internalType": "uint256",
        "name": "amount",
        "type": "uint256"
      },
      {
        "indexed": false,
        "internalType": "uint256",
        "name": "stake",
        "type": "uint256"
      }
    ],
    "name": "Staked",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "address",
        "name": "to",
        "type": "address"
      },
      {
        "indexed": false,
        "internalType": "uint256",
        "name": "amount",
        "type": "uint256"
      }
    ],
    "name": "TreasuryWithdrawn",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "uint32",
        "name": "nodeId",
        "type": "uint32"
      },
      {
        "indexed": false,
        "internalType": "uint256",
        "name": "amount",
        "type": "uint256"
      },
      {
        "indexed": false,
        "internalType": "uint256",
        "name": "stake",
        "type": "uint256"
      }
    ],
    "name": "UnbondingCancelled",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "uint32",
        "name": "nodeId",
        "type": "uint32"
      },
      {
        "indexed": false,
        "internalType": "uint256",
        "name": "amount",
        "type": "uint256"
      },
      {
        "indexed": false,
        "internalType": "uint256",
        "name": "unbonding",
        "type": "uint256"
      },
      {
        "indexed": false,
        "internalType": "uint40",
        "name": "unbondEnd",
        "type": "uint40"
      }
    ],
    "name": "UnbondingRequested",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "uint32",
        "name": "nodeId",
        "type": "uint32"
      },
      {
        "indexed": true,
        "internalType": "address",
        "name": "to",
        "type": "address"
      },
      {
        "indexed": false,
        "internalType": "uint256",
        "name": "amount",
        "type": "uint256"
      }
    ],
    "name": "Withdrawn",
    "type": "event"
  },
  {
    "inputs": [],
    "name": "MAX_ENDPOINT_LENGTH",
    "outputs": [
      {
        "internalType": "uint256",
        "name": "",
        "type": "uint256"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [],
    "name": "MAX_MODELS_PER_NODE",
    "outputs": [
      {
        "internalType": "uint256",
        "name": "",
        "type": "uint256"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [],
    "name": "MAX_UNBONDING_PERIOD",
    "outputs": [
      {
        "internalType": "uint256",
        "name": "",
        "type": "uint256"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [],
    "name": "cancelUnbonding",
    "outputs": [],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "uint32",
        "name": "clusterId",
        "type": "uint32"
      },
      {
        "internalType": "uint32[]",
        "name": "nodeIds",
        "type": "uint32[]"
      }
    ],
    "name": "checkEligible",
    "outputs": [
      {
        "internalType": "address[]",
        "name": "operators",
        "type": "address[]"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [],
    "name": "clusterCount",
    "outputs": [
      {
        "internalType": "uint32",
        "name": "",
        "type": "uint32"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "string",
        "name": "label",
        "type": "string"
      },
      {
        "internalType": "string",
        "name": "region",
        "type": "string"
      },
      {
        "internalType": "uint96",
        "name": "minStake",
        "type": "uint96"
      }
    ],
    "name": "createCluster",
    "outputs": [
      {
        "internalType": "uint32",
        "name": "clusterId",
        "type": "uint32"
      }
    ],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "uint32",
        "name": "clusterId",
        "type": "uint32"
      }
    ],
    "name": "getCluster",
    "outputs": [
      {
        "components": [
          {
            "internalType": "uint32",
            "name": "id",
            "type": "uint32"
          },
          {
            "internalType": "uint96",
            "name": "minStake",
            "type": "uint96"
          },
          {
            "internalType": "bool",
            "name": "active",
            "type": "bool"
          },
          {
            "internalType": "string",
            "name": "label",
            "type": "string"
          },
          {
            "internalType": "string",
            "name": "region",
            "type": "string"
          },
          {
            "internalType": "uint32[]",
            "name": "members",
            "type": "uint32[]"
          }
        ],
        "internalType": "struct IStakeRegistry.ClusterView",
        "name": "",
        "type": "tuple"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "uint32",
        "name": "nodeId",
        "type": "uint32"
      }
    ],
    "name": "getNode",
    "outputs": [
      {
        "components": [
          {
            "internalType": "uint32",
            "name": "id",
            "type": "uint32"
          },
          {
            "internalType": "address",
            "name": "operator",
            "type": "address"
          },
          {
            "internalType": "address",
            "name": "signer",
            "type": "address"
          },
          {
            "internalType": "uint32",
            "name": "clusterId",
            "type": "uint32"
          },
          {
            "internalType": "uint64",
            "name": "memoryBytes",
            "type": "uint64"
          },
          {
            "internalType": "uint96",
            "name": "stake",
            "type": "uint96"
          },
          {
            "internalType": "uint96",
            "name": "unbonding",
            "type": "uint96"
          },
          {
            "internalType": "uint40",
            "name": "unbondEnd",
            "type": "uint40"
          },
          {
            "internalType": "uint256",
            "name": "openJobs",
            "type": "uint256"
          },
          {
            "internalType": "string",
            "name": "endpoint",
            "type": "string"
          },
          {
            "internalType": "bytes32[]",
            "name": "modelIds",
            "type": "bytes32[]"
          }
        ],
        "internalType": "struct IStakeRegistry.NodeView",
        "name": "v",
        "type": "tuple"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [],
    "name": "jobMarket",
    "outputs": [
      {
        "internalType": "address",
        "name": "",
        "type": "address"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "uint32",
        "name": "clusterId",
        "type": "uint32"
      }
    ],
    "name": "joinCluster",
    "outputs": [],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [],
    "name": "leaveCluster",
    "outputs": [],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [],
    "name": "nodeCount",
    "outputs": [
      {
        "internalType": "uint32",
        "name": "",
        "type": "uint32"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "operator",
        "type": "address"
      }
    ],
    "name": "nodeIdOf",
    "outputs": [
      {
        "internalType": "uint32",
        "name": "",
        "type": "uint32"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "uint32",
        "name": "nodeId",
        "type": "uint32"
      }
    ],
    "name": "operatorOf",
    "outputs": [
      {
        "internalType": "address",
        "name": "",
        "type": "address"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [],
    "name": "owner",
    "outputs": [
      {
        "internalType": "address",
        "name": "",
        "type": "address"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "string",
        "name": "endpoint",
        "type": "string"
      },
      {
        "internalType": "uint32",
        "name": "clusterId",
        "type": "uint32"
      },
      {
        "internalType": "uint64",
        "name": "memoryBytes",
        "type": "uint64"
      },
      {
        "internalType": "bytes32[]",
        "name": "modelIds",
        "type": "bytes32[]"
      },
      {
        "internalType": "address",
        "name": "signer",
        "type": "address"
      }
    ],
    "name": "registerNode",
    "outputs": [
      {
        "internalType": "uint32",
        "name": "nodeId",
        "type": "uint32"
      }
    ],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [],
    "name": "renounceOwnership",
    "outputs": [],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "uint256",
        "name": "amount",
        "type": "uint256"
      }
    ],
    "name": "requestUnbonding",
    "outputs": [],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "market",
        "type": "address"
      }
    ],
    "name": "setJobMarket",
    "outputs": [],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "uint32",
        "name": "nodeId",
        "type": "uint32"
      },
      {
        "internalType": "uint256",
        "name": "amount",
        "type": "uint256"
      }
    ],
    "name": "slash",
    "outputs": [
      {
        "internalType": "uint256",
        "name": "slashed",
        "type": "uint256"
      }
    ],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "uint256",
        "name": "amount",
        "type": "uint256"
      }
    ],
    "name": "stake",
    "outputs": [],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [],
    "name": "token",
    "outputs": [
      {
        "internalType": "contract IERC20",
        "name": "",
        "type": "address"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [],
    "name": "totalStaked",
    "outputs": [
      {
        "internalType": "uint256",
        "name": "",
        "type": "uint256"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "newOwner",
        "type": "address"
      }
    ],
    "name": "transferOwnership",
    "outputs": [],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [],
    "name": "treasury",
    "outputs": [
      {
        "internalType": "uint256",
        "name": "",
        "type": "uint256"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [],
    "name": "unbondingPeriod",
    "outputs": [
      {
        "internalType": "uint256",
        "name": "",
        "type": "uint256"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "uint32",
        "name": "clusterId",
        "type": "uint32"
      },
      {
        "internalType": "uint96",
        "name": "minStake",
        "type": "uint96"
      },
      {
        "internalType": "bool",
        "name": "active",
        "type": "bool"
      }
    ],
    "name": "updateCluster",
    "outputs": [],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "string",
        "name": "endpoint",
        "type": "string"
      },
      {
        "internalType": "uint64",
        "name": "memoryBytes",
        "type": "uint64"
      },
      {
        "internalType": "bytes32[]",
        "name": "modelIds",
        "type": "bytes32[]"
      },
      {
        "internalType": "address",
        "name": "signer",
        "type": "address"
      }
    ],
    "name": "updateNode",
    "outputs": [],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [],
    "name": "withdraw",
    "outputs": [],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "address",
        "name": "to",
        "type": "address"
      },
      {
        "internalType": "uint256",
        "name": "amount",
        "type": "uint256"
      }
    ],
    "name": "withdrawTreasury",
    "outputs": [],
    "stateMutability": "nonpayable",
    "type": "function"
  }
] as const;
