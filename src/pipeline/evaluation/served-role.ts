// Which of a run's models the editor gets: the student when it keeps at least 90% of the
// teacher's held-out exact match and answers faster (its reason to exist), otherwise the
// teacher. Decided on the report's rows, as the user can check them.
import type { StageEval } from "./types";
import { rowOf } from "./judge-activation";
import type { EvalRowName } from "../../core/protocol";

/** The share of the teacher's exact match a student must keep to serve instead of it. */
export const STUDENT_KEEPS_EM = 0.9;

export interface ServedRole {
  role: "student" | "teacher";
  /** In words, with the figures. */
  reason: string;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

export function servedRole(stages: Partial<Record<EvalRowName, StageEval | null>>): ServedRole {
  const teacherRow = rowOf("teacher", stages);
  const student = stages.student;
  const teacher = teacherRow ? stages[teacherRow] : null;
  if (!student) return { role: "teacher", reason: "there is no evaluated student" };
  if (!teacher) return { role: "student", reason: "the teacher was not evaluated, so the student serves as the run's last model" };
  const em = { s: student.exactMatch ?? 0, t: teacher.exactMatch ?? 0 };
  const keeps = em.s >= STUDENT_KEEPS_EM * em.t;
  const faster = student.latencyMsP50 !== null && teacher.latencyMsP50 !== null && student.latencyMsP50 < teacher.latencyMsP50;
  const figures = `exact match ${pct(em.s)} vs the teacher's (${teacherRow}) ${pct(em.t)}, latency p50 ${student.latencyMsP50?.toFixed(0) ?? "–"} vs ${teacher.latencyMsP50?.toFixed(0) ?? "–"} ms`;
  if (keeps && faster) return { role: "student", reason: `the student keeps at least ${pct(STUDENT_KEEPS_EM)} of the teacher's exact match and is faster: ${figures}` };
  return { role: "teacher", reason: `the teacher serves: the student ${keeps ? "is not faster" : `keeps less than ${pct(STUDENT_KEEPS_EM)} of its exact match`} (${figures})` };
}
