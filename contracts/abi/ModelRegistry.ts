// GENERATED — do not edit. Source: artifacts/contracts/ModelRegistry.sol/ModelRegistry.json (run `npm run gen:abis`).

export const modelRegistryAbi = [
  {
    "inputs": [
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
        "internalType": "uint256",
        "name": "index",
        "type": "uint256"
      },
      {
        "internalType": "address",
        "name": "operator",
        "type": "address"
      }
    ],
    "name": "ModelRegistry_BadContributionSignature",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "uint256",
        "name": "shardCount",
        "type": "uint256"
      },
      {
        "internalType": "uint256",
        "name": "maxShards",
        "type": "uint256"
      }
    ],
    "name": "ModelRegistry_BadShardCount",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "uint64",
        "name": "beaconBlock",
        "type": "uint64"
      },
      {
        "internalType": "bytes32",
        "name": "expected",
        "type": "bytes32"
      },
      {
        "internalType": "bytes32",
        "name": "given",
        "type": "bytes32"
      }
    ],
    "name": "ModelRegistry_BeaconHashMismatch",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "uint64",
        "name": "beaconBlock",
        "type": "uint64"
      },
      {
        "internalType": "uint256",
        "name": "currentBlock",
        "type": "uint256"
      }
    ],
    "name": "ModelRegistry_BeaconNotInPast",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "uint64",
        "name": "beaconBlock",
        "type": "uint64"
      },
      {
        "internalType": "uint256",
        "name": "currentBlock",
        "type": "uint256"
      }
    ],
    "name": "ModelRegistry_BeaconTooOld",
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
    "name": "ModelRegistry_DuplicateContributor",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "modelId",
        "type": "bytes32"
      }
    ],
    "name": "ModelRegistry_ModelExists",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "uint256",
        "name": "given",
        "type": "uint256"
      },
      {
        "internalType": "uint256",
        "name": "shardCount",
        "type": "uint256"
      }
    ],
    "name": "ModelRegistry_ShardKeysCountMismatch",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "modelId",
        "type": "bytes32"
      },
      {
        "internalType": "uint256",
        "name": "shard",
        "type": "uint256"
      },
      {
        "internalType": "uint8",
        "name": "shardCount",
        "type": "uint8"
      }
    ],
    "name": "ModelRegistry_ShardOutOfRange",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "uint256",
        "name": "given",
        "type": "uint256"
      },
      {
        "internalType": "uint256",
        "name": "minimum",
        "type": "uint256"
      }
    ],
    "name": "ModelRegistry_TooFewContributions",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "modelId",
        "type": "bytes32"
      }
    ],
    "name": "ModelRegistry_TotalPriceOverflow",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "uint32",
        "name": "index",
        "type": "uint32"
      }
    ],
    "name": "ModelRegistry_UnknownIndex",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "modelId",
        "type": "bytes32"
      }
    ],
    "name": "ModelRegistry_UnknownModel",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "uint256",
        "name": "shard",
        "type": "uint256"
      },
      {
        "internalType": "address",
        "name": "verifier",
        "type": "address"
      }
    ],
    "name": "ModelRegistry_VerifierHasNoCode",
    "type": "error"
  },
  {
    "inputs": [
      {
        "internalType": "uint256",
        "name": "shard",
        "type": "uint256"
      }
    ],
    "name": "ModelRegistry_ZeroKeyHash",
    "type": "error"
  },
  {
    "inputs": [],
    "name": "ModelRegistry_ZeroMinContributions",
    "type": "error"
  },
  {
    "inputs": [],
    "name": "ModelRegistry_ZeroModelId",
    "type": "error"
  },
  {
    "inputs": [],
    "name": "ModelRegistry_ZeroPtauHash",
    "type": "error"
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
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "bytes32",
        "name": "modelId",
        "type": "bytes32"
      },
      {
        "indexed": false,
        "internalType": "bytes32",
        "name": "ptauHash",
        "type": "bytes32"
      },
      {
        "indexed": false,
        "internalType": "uint64",
        "name": "beaconBlock",
        "type": "uint64"
      },
      {
        "indexed": false,
        "internalType": "bytes32",
        "name": "beaconHash",
        "type": "bytes32"
      },
      {
        "indexed": false,
        "internalType": "uint256",
        "name": "contributions",
        "type": "uint256"
      }
    ],
    "name": "CeremonyRecorded",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "bytes32",
        "name": "modelId",
        "type": "bytes32"
      },
      {
        "indexed": true,
        "internalType": "uint256",
        "name": "index",
        "type": "uint256"
      },
      {
        "indexed": true,
        "internalType": "address",
        "name": "operator",
        "type": "address"
      },
      {
        "indexed": false,
        "internalType": "bytes32",
        "name": "transcriptHash",
        "type": "bytes32"
      },
      {
        "indexed": false,
        "internalType": "bytes",
        "name": "signature",
        "type": "bytes"
      }
    ],
    "name": "ContributionRecorded",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": false,
        "internalType": "uint8",
        "name": "minContributions",
        "type": "uint8"
      }
    ],
    "name": "MinContributionsSet",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "bytes32",
        "name": "modelId",
        "type": "bytes32"
      },
      {
        "indexed": false,
        "internalType": "bool",
        "name": "active",
        "type": "bool"
      }
    ],
    "name": "ModelActiveSet",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "bytes32",
        "name": "modelId",
        "type": "bytes32"
      },
      {
        "indexed": true,
        "internalType": "uint32",
        "name": "index",
        "type": "uint32"
      },
      {
        "indexed": false,
        "internalType": "uint8",
        "name": "shardCount",
        "type": "uint8"
      },
      {
        "indexed": false,
        "internalType": "uint96",
        "name": "totalPrice",
        "type": "uint96"
      }
    ],
    "name": "ModelRegistered",
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
        "internalType": "bytes32",
        "name": "modelId",
        "type": "bytes32"
      },
      {
        "indexed": true,
        "internalType": "uint8",
        "name": "shard",
        "type": "uint8"
      },
      {
        "indexed": false,
        "internalType": "bytes32",
        "name": "zkeyHash",
        "type": "bytes32"
      },
      {
        "indexed": false,
        "internalType": "bytes32",
        "name": "vkeyHash",
        "type": "bytes32"
      }
    ],
    "name": "ShardKeysRecorded",
    "type": "event"
  },
  {
    "anonymous": false,
    "inputs": [
      {
        "indexed": true,
        "internalType": "bytes32",
        "name": "modelId",
        "type": "bytes32"
      },
      {
        "indexed": true,
        "internalType": "uint8",
        "name": "shard",
        "type": "uint8"
      },
      {
        "indexed": false,
        "internalType": "address",
        "name": "verifier",
        "type": "address"
      },
      {
        "indexed": false,
        "internalType": "bytes32",
        "name": "weightsHash",
        "type": "bytes32"
      },
      {
        "indexed": false,
        "internalType": "uint64",
        "name": "memoryBytes",
        "type": "uint64"
      },
      {
        "indexed": false,
        "internalType": "uint96",
        "name": "pricePerStage",
        "type": "uint96"
      }
    ],
    "name": "ShardRegistered",
    "type": "event"
  },
  {
    "inputs": [],
    "name": "CEREMONY_DOMAIN_SEPARATOR",
    "outputs": [
      {
        "internalType": "bytes32",
        "name": "",
        "type": "bytes32"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [],
    "name": "CONTRIBUTION_TYPEHASH",
    "outputs": [
      {
        "internalType": "bytes32",
        "name": "",
        "type": "bytes32"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [],
    "name": "MAX_SHARDS",
    "outputs": [
      {
        "internalType": "uint8",
        "name": "",
        "type": "uint8"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "modelId",
        "type": "bytes32"
      }
    ],
    "name": "ceremonyOf",
    "outputs": [
      {
        "components": [
          {
            "internalType": "bytes32",
            "name": "ptauHash",
            "type": "bytes32"
          },
          {
            "internalType": "uint64",
            "name": "beaconBlock",
            "type": "uint64"
          },
          {
            "internalType": "bytes32",
            "name": "beaconHash",
            "type": "bytes32"
          },
          {
            "components": [
              {
                "internalType": "bytes32",
                "name": "zkeyHash",
                "type": "bytes32"
              },
              {
                "internalType": "bytes32",
                "name": "vkeyHash",
                "type": "bytes32"
              }
            ],
            "internalType": "struct IModelRegistry.ShardKeys[]",
            "name": "shards",
            "type": "tuple[]"
          },
          {
            "components": [
              {
                "internalType": "address",
                "name": "operator",
                "type": "address"
              },
              {
                "internalType": "bytes32",
                "name": "transcriptHash",
                "type": "bytes32"
              },
              {
                "internalType": "bytes",
                "name": "signature",
                "type": "bytes"
              }
            ],
            "internalType": "struct IModelRegistry.Contribution[]",
            "name": "contributions",
            "type": "tuple[]"
          }
        ],
        "internalType": "struct IModelRegistry.CeremonyRecord",
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
        "internalType": "bytes32",
        "name": "modelId",
        "type": "bytes32"
      },
      {
        "internalType": "uint256",
        "name": "index",
        "type": "uint256"
      },
      {
        "internalType": "bytes32",
        "name": "transcriptHash",
        "type": "bytes32"
      }
    ],
    "name": "contributionDigest",
    "outputs": [
      {
        "internalType": "bytes32",
        "name": "",
        "type": "bytes32"
      }
    ],
    "stateMutability": "pure",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "modelId",
        "type": "bytes32"
      },
      {
        "internalType": "uint256",
        "name": "shard",
        "type": "uint256"
      }
    ],
    "name": "getShard",
    "outputs": [
      {
        "components": [
          {
            "internalType": "address",
            "name": "verifier",
            "type": "address"
          },
          {
            "internalType": "bytes32",
            "name": "weightsHash",
            "type": "bytes32"
          },
          {
            "internalType": "uint64",
            "name": "memoryBytes",
            "type": "uint64"
          },
          {
            "internalType": "uint96",
            "name": "pricePerStage",
            "type": "uint96"
          }
        ],
        "internalType": "struct IModelRegistry.Shard",
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
        "internalType": "bytes32",
        "name": "modelId",
        "type": "bytes32"
      }
    ],
    "name": "getShards",
    "outputs": [
      {
        "components": [
          {
            "internalType": "address",
            "name": "verifier",
            "type": "address"
          },
          {
            "internalType": "bytes32",
            "name": "weightsHash",
            "type": "bytes32"
          },
          {
            "internalType": "uint64",
            "name": "memoryBytes",
            "type": "uint64"
          },
          {
            "internalType": "uint96",
            "name": "pricePerStage",
            "type": "uint96"
          }
        ],
        "internalType": "struct IModelRegistry.Shard[]",
        "name": "shards",
        "type": "tuple[]"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [],
    "name": "minContributions",
    "outputs": [
      {
        "internalType": "uint8",
        "name": "",
        "type": "uint8"
      }
    ],
    "stateMutability": "view",
    "type": "function"
  },
  {
    "inputs": [],
    "name": "modelCount",
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
        "internalType": "bytes32",
        "name": "modelId",
        "type": "bytes32"
      }
    ],
    "name": "modelInfo",
    "outputs": [
      {
        "components": [
          {
            "internalType": "uint32",
            "name": "index",
            "type": "uint32"
          },
          {
            "internalType": "uint8",
            "name": "shardCount",
            "type": "uint8"
          },
          {
            "internalType": "bool",
            "name": "active",
            "type": "bool"
          },
          {
            "internalType": "uint96",
            "name": "totalPrice",
            "type": "uint96"
          }
        ],
        "internalType": "struct IModelRegistry.ModelInfo",
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
        "name": "index",
        "type": "uint32"
      }
    ],
    "name": "modelInfoAt",
    "outputs": [
      {
        "internalType": "bytes32",
        "name": "modelId",
        "type": "bytes32"
      },
      {
        "components": [
          {
            "internalType": "uint32",
            "name": "index",
            "type": "uint32"
          },
          {
            "internalType": "uint8",
            "name": "shardCount",
            "type": "uint8"
          },
          {
            "internalType": "bool",
            "name": "active",
            "type": "bool"
          },
          {
            "internalType": "uint96",
            "name": "totalPrice",
            "type": "uint96"
          }
        ],
        "internalType": "struct IModelRegistry.ModelInfo",
        "name": "info",
        "type": "tuple"
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
        "internalType": "bytes32",
        "name": "modelId",
        "type": "bytes32"
      },
      {
        "components": [
          {
            "internalType": "address",
            "name": "verifier",
            "type": "address"
          },
          {
            "internalType": "bytes32",
            "name": "weightsHash",
            "type": "bytes32"
          },
          {
            "internalType": "uint64",
            "name": "memoryBytes",
            "type": "uint64"
          },
          {
            "internalType": "uint96",
            "name": "pricePerStage",
            "type": "uint96"
          }
        ],
        "internalType": "struct IModelRegistry.Shard[]",
        "name": "shards",
        "type": "tuple[]"
      },
      {
        "components": [
          {
            "internalType": "bytes32",
            "name": "ptauHash",
            "type": "bytes32"
          },
          {
            "internalType": "uint64",
            "name": "beaconBlock",
            "type": "uint64"
          },
          {
            "internalType": "bytes32",
            "name": "beaconHash",
            "type": "bytes32"
          },
          {
            "components": [
              {
                "internalType": "bytes32",
                "name": "zkeyHash",
                "type": "bytes32"
              },
              {
                "internalType": "bytes32",
                "name": "vkeyHash",
                "type": "bytes32"
              }
            ],
            "internalType": "struct IModelRegistry.ShardKeys[]",
            "name": "shards",
            "type": "tuple[]"
          },
          {
            "components": [
              {
                "internalType": "address",
                "name": "operator",
                "type": "address"
              },
              {
                "internalType": "bytes32",
                "name": "transcriptHash",
                "type": "bytes32"
              },
              {
                "internalType": "bytes",
                "name": "signature",
                "type": "bytes"
              }
            ],
            "internalType": "struct IModelRegistry.Contribution[]",
            "name": "contributions",
            "type": "tuple[]"
          }
        ],
        "internalType": "struct IModelRegistry.CeremonyRecord",
        "name": "record",
        "type": "tuple"
      }
    ],
    "name": "registerModel",
    "outputs": [
      {
        "internalType": "uint32",
        "name": "index",
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
        "internalType": "uint8",
        "name": "n",
        "type": "uint8"
      }
    ],
    "name": "setMinContributions",
    "outputs": [],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "bytes32",
        "name": "modelId",
        "type": "bytes32"
      },
      {
        "internalType": "bool",
        "name": "active",
        "type": "bool"
      }
    ],
    "name": "setModelActive",
    "outputs": [],
    "stateMutability": "nonpayable",
    "type": "function"
  },
  {
    "inputs": [
      {
        "internalType": "uint32",
        "name": "index",
        "type": "uint32"
      },
      {
        "internalType": "uint256",
        "name": "shard",
        "type": "uint256"
      }
    ],
    "name": "stageAt",
    "outputs": [
      {
        "internalType": "address",
        "name": "verifier",
        "type": "address"
      },
      {
        "internalType": "uint96",
        "name": "pricePerStage",
        "type": "uint96"
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
  }
] as const;
