//! The demo's accounts (`roundtable serve --demo`, see src/demo.rs), named once for
//! every black-box test.

/// Every demo account's password.
pub const PASSWORD: &str = "roundtable-demo";
pub const ADMIN: &str = "13900000001";
pub const AUDITOR: &str = "13900000002";
/// 张丽, grid worker of 银网社区第一网格.
pub const GRID_WORKER_GRID1: &str = "13900000003";
pub const GRID_WORKER_YINWANG: &str = "13900000004";
pub const GRID_WORKER_WUZHU: &str = "13900000005";
/// 赵书记, chair of 银网社区圆桌议事会.
pub const CHAIR: &str = "13900000006";
/// 陈大爷, verified resident of grid 1 and a member of the council.
pub const COUNCIL_MEMBER: &str = "13900000011";
/// 周阿姨, verified resident of grid 1.
pub const VERIFIED_RESIDENT: &str = "13900000012";
/// 吴先生, resident of grid 2, not yet verified.
pub const UNVERIFIED_RESIDENT: &str = "13900000013";
