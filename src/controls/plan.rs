//! Which revision of each control applies at a level and policy version: worked out once,
//! when the policy is compiled, from the table.

use super::registry::{revision_index, Control, ControlId, Level, Revision};
use super::table::{CONTROLS, NEWEST_KNOWN_MINOR};

pub const CONTROL_COUNT: usize = CONTROLS.len();
const VERSIONS: usize = NEWEST_KNOWN_MINOR as usize + 1;

/// For each level and version, each control's revision in force there, numbered from 1
/// (0: the control does not apply). Worked out when the policy is compiled, so that
/// neither a fresh instance nor a request pays for it.
static PLAN: [[[u8; CONTROL_COUNT]; VERSIONS]; 2] = plan();

pub(super) const fn plan() -> [[[u8; CONTROL_COUNT]; VERSIONS]; 2] {
    let mut plan = [[[0; CONTROL_COUNT]; VERSIONS]; 2];
    let mut minor = 0;
    while minor < VERSIONS {
        let mut c = 0;
        while c < CONTROL_COUNT {
            let control = &CONTROLS[c];
            if let Some(revision) = revision_index(control, minor as u32) {
                let number = revision as u8 + 1;
                // Restricted includes baseline, less the baseline controls it replaces.
                match control.level {
                    Level::Baseline => {
                        plan[0][minor][c] = number;
                        if !overridden(control.id, minor as u32) {
                            plan[1][minor][c] = number;
                        }
                    }
                    Level::Restricted => plan[1][minor][c] = number,
                    Level::Privileged => {}
                }
            }
            c += 1;
        }
        minor += 1;
    }
    plan
}

/// Whether a restricted control in force at `minor` replaces the baseline control `id`.
pub(super) const fn overridden(id: ControlId, minor: u32) -> bool {
    let mut c = 0;
    while c < CONTROL_COUNT {
        let control = &CONTROLS[c];
        if let (Level::Restricted, Some(r)) = (control.level, revision_index(control, minor)) {
            let overrides = control.revisions[r].overrides;
            let mut o = 0;
            while o < overrides.len() {
                if overrides[o].index() == id.index() {
                    return true;
                }
                o += 1;
            }
        }
        c += 1;
    }
    false
}

/// For each control (in [`CONTROLS`] order), the number of its revision in force at `level`
/// and `v1.<minor>`, from 1; 0 where the control does not apply (every control at
/// `privileged`).
pub fn revision_numbers(level: Level, minor: u32) -> &'static [u8; CONTROL_COUNT] {
    static NONE: [u8; CONTROL_COUNT] = [0; CONTROL_COUNT];
    let minor = minor.min(NEWEST_KNOWN_MINOR) as usize;
    match level {
        Level::Privileged => &NONE,
        Level::Baseline => &PLAN[0][minor],
        Level::Restricted => &PLAN[1][minor],
    }
}

/// The revisions that apply at `level` and policy version `v1.<minor>`, in message order.
pub fn checks_at(
    level: Level,
    minor: u32,
) -> impl Iterator<Item = (&'static Control, &'static Revision)> {
    indexed_checks_at(level, minor).map(|(_, control, revision)| (control, revision))
}

/// [`checks_at`], with each control's place in [`CONTROLS`] (its place in a message).
pub fn indexed_checks_at(
    level: Level,
    minor: u32,
) -> impl Iterator<Item = (usize, &'static Control, &'static Revision)> {
    let row = revision_numbers(level, minor);
    CONTROLS
        .iter()
        .zip(row)
        .enumerate()
        .filter_map(|(place, (control, &number))| {
            let index = usize::from(number.checked_sub(1)?);
            Some((place, control, &control.revisions[index]))
        })
}
