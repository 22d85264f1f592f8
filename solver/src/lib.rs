//! placeholder, replaced by the solver
