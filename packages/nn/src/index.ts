// @metaop/nn: Module and PyTorch-named layers and losses, initialisers, optimizers and schedulers,
// safetensors I/O, training checkpoints and the Fashion-MNIST loader.
export { Module, type AnyModule, type RegisterBufferOptions } from './module.js';
export { StateDictError, type StateDict, type LoadStateDictOptions, type LoadStateDictResult, type ShapeMismatch } from './state-dict.js';
export { flushBufferUpdates } from './pending.js';
export { Parameter } from './parameter.js';
export { setParallelHooks, parallelHooks, isPrimaryRank, type ParallelHooks } from './parallel.js';
export * as init from './init.js';

export { Linear, Identity, Flatten, type LinearOptions } from './layers/linear.js';
export { Conv1d, Conv2d, ConvTranspose2d, type Conv1dOptions, type Conv2dOptions, type ConvTranspose2dOptions, type Pair, type PaddingMode } from './layers/conv.js';
export { BatchNorm1d, BatchNorm2d, LayerNorm, GroupNorm, type BatchNormOptions, type LayerNormOptions, type GroupNormOptions } from './layers/norm.js';
export { SyncBatchNorm } from './layers/sync-batch-norm.js';
export { Embedding, type EmbeddingOptions } from './layers/embedding.js';
export { ReLU, ReLU6, LeakyReLU, GELU, SiLU, Sigmoid, Tanh, Hardswish, Softmax, LogSoftmax, Dropout } from './layers/activation.js';
export { Dropout1d, Dropout2d, Dropout3d, AlphaDropout, FeatureAlphaDropout } from './layers/dropout.js';
export { Upsample, UpsamplingNearest2d, UpsamplingBilinear2d, type UpsampleOptions, type Upsampling2dOptions } from './layers/upsample.js';
export { MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, type MaxPool2dOptions, type AvgPool2dOptions } from './layers/pool.js';
export { RNN, LSTM, GRU, type RNNBaseOptions, type RNNOptions, type LSTMOptions, type GRUOptions } from './layers/rnn.js';
export { MultiheadAttention, type MultiheadAttentionOptions, type MultiheadAttentionForwardOptions } from './layers/attention.js';
export {
  TransformerEncoderLayer,
  TransformerDecoderLayer,
  TransformerEncoder,
  TransformerDecoder,
  generateSquareSubsequentMask,
  type TransformerActivation,
  type TransformerLayerOptions,
  type TransformerEncoderLayerForwardOptions,
  type TransformerDecoderLayerForwardOptions,
  type TransformerEncoderOptions,
  type TransformerDecoderOptions,
  type TransformerEncoderForwardOptions,
} from './layers/transformer.js';
export { Transformer, type TransformerOptions, type TransformerForwardOptions, type TransformerEncoderLike, type TransformerDecoderLike } from './layers/transformer-model.js';
export { Sequential, ModuleList, type VarModule } from './layers/container.js';
export {
  CrossEntropyLoss,
  NLLLoss,
  MSELoss,
  BCELoss,
  BCEWithLogitsLoss,
  type Reduction,
  type CrossEntropyLossOptions,
  type NLLLossOptions,
  type MSELossOptions,
  type BCELossOptions,
  type BCEWithLogitsLossOptions,
} from './layers/loss.js';

export {
  Optimizer,
  type ParamGroup,
  type ParamsInput,
  type ParamState,
  type HyperValue,
  type OptimizerStateDict,
  type StepOptions,
  type StepResult,
  type ApplyOptions,
  type UpdateContext,
} from './optim/optimizer.js';
export { SGD, type SGDOptions } from './optim/sgd.js';
export { Adam, AdamW, type AdamOptions } from './optim/adam.js';
export { LRScheduler, StepLR, CosineAnnealingLR, type LrOptimizer, type SchedulerStateDict } from './optim/scheduler.js';
export { clipGradNorm, type ClippedGradients } from './optim/clip.js';

export {
  loadSafetensors,
  loadSafetensorsSync,
  loadSafetensorsWithMetadataSync,
  readSafetensorsHeader,
  saveSafetensors,
  saveSafetensorsSync,
  type LoadSafetensorsOptions,
} from './io/safetensors.js';
export { SafetensorsError, safetensorsDtypes, type SafetensorsDType, type SafetensorsHeader, type TensorInfo } from './io/safetensors-format.js';
export { saveCheckpoint, loadCheckpoint, readCheckpointInfo, type SaveCheckpointOptions, type LoadCheckpointOptions, type RestoredCheckpoint, type CheckpointParts, type JsonValue } from './io/checkpoint.js';

export { DataLoader, type BatchSource, type DataLoaderOptions } from './data/data-loader.js';
export { ImageDataset, type ImageBatch, type Normalization } from './data/image-dataset.js';
export { DatasetError, parseIdx, readIdxFile, type IdxArray } from './data/idx.js';
export { loadFashionMnist, hasFashionMnist, fashionMnistDir, fashionMnistDefaultDir, fashionMnistClasses, type FashionMnistOptions } from './data/fashion-mnist.js';
