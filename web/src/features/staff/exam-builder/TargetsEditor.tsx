import { useState } from 'react';
import { adminApi } from '../../../api/admin';
import { itemsOf } from '../../../api/http';
import type { ExamTarget, SchoolClass, TargetType } from '../../../api/types';
import { useI18n } from '../../../i18n/i18n';

/**
 * Who may take the exam: whole classes, grades or majors, or single students looked up by
 * NISN (kept as their id, shown by name once found).
 */
export function TargetsEditor({
  targets,
  classes,
  onChange,
}: {
  targets: ExamTarget[];
  classes: SchoolClass[];
  onChange: (t: ExamTarget[]) => void;
}) {
  const { t } = useI18n();
  const [type, setType] = useState<TargetType>('CLASS');
  const [value, setValue] = useState('');
  const [lookupError, setLookupError] = useState<string | null>(null);
  const classById = new Map(classes.map((c) => [c.id, c]));
  const grades = [...new Set(classes.map((c) => c.gradeLevel))].sort((a, b) => a - b);
  const majors = [...new Set(classes.map((c) => c.majorCode))].sort();
  const [studentNames, setStudentNames] = useState<Record<string, string>>({});

  const describe = (target: ExamTarget) => {
    switch (target.type) {
      case 'CLASS':
        return classById.get(target.value)?.name ?? target.value;
      case 'GRADE':
        return t('builder.gradeN', { n: target.value });
      case 'MAJOR':
        return target.value;
      default:
        return studentNames[target.value] ?? target.value.slice(0, 8);
    }
  };

  async function add() {
    setLookupError(null);
    let v = value.trim();
    if (!v) return;
    if (type === 'STUDENT') {
      const found = itemsOf(await adminApi.students.list({ search: v, pageSize: 5 })).find(
        (s) => s.nisn === v || s.id === v,
      );
      if (!found) {
        setLookupError(t('builder.noSuchStudent', { nisn: v }));
        return;
      }
      setStudentNames((names) => ({ ...names, [found.id]: `${found.name} (${found.nisn})` }));
      v = found.id;
    }
    if (!targets.some((x) => x.type === type && x.value === v))
      onChange([...targets, { type, value: v }]);
    setValue('');
  }

  const typeLabel: Record<TargetType, string> = {
    CLASS: t('builder.targetClass'),
    GRADE: t('builder.targetGrade'),
    MAJOR: t('builder.targetMajor'),
    STUDENT: t('builder.targetStudent'),
  };

  return (
    <section className="card stack" aria-labelledby="b-targets">
      <div className="card__head">
        <h2 id="b-targets" className="card__title">
          {t('builder.targets')}
        </h2>
        <span className="muted small">{t('builder.targetsHint')}</span>
      </div>
      {targets.length > 0 ? (
        <ul className="chip-list" aria-label={t('builder.targets')}>
          {targets.map((target) => (
            <li key={`${target.type}:${target.value}`} className="chip chip--static">
              <span className="chip__type">{typeLabel[target.type]}</span>
              <span>{describe(target)}</span>
              <button
                type="button"
                className="chip__remove"
                aria-label={t('builder.removeTarget', { name: describe(target) })}
                onClick={() => onChange(targets.filter((x) => x !== target))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">{t('builder.noTargets')}</p>
      )}
      <div className="target-add">
        <div className="field">
          <label htmlFor="b-target-type">{t('builder.targetType')}</label>
          <select
            id="b-target-type"
            value={type}
            onChange={(e) => {
              setType(e.target.value as TargetType);
              setValue('');
            }}
          >
            {(Object.keys(typeLabel) as TargetType[]).map((k) => (
              <option key={k} value={k}>
                {typeLabel[k]}
              </option>
            ))}
          </select>
        </div>
        <div className="field field--grow">
          <label htmlFor="b-target-value">{typeLabel[type]}</label>
          {type === 'CLASS' ? (
            <select id="b-target-value" value={value} onChange={(e) => setValue(e.target.value)}>
              <option value="">{t('builder.chooseClass')}</option>
              {classes.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          ) : type === 'GRADE' ? (
            <select id="b-target-value" value={value} onChange={(e) => setValue(e.target.value)}>
              <option value="">{t('builder.chooseGrade')}</option>
              {grades.map((g) => (
                <option key={g} value={String(g)}>
                  {t('builder.gradeN', { n: g })}
                </option>
              ))}
            </select>
          ) : type === 'MAJOR' ? (
            <select id="b-target-value" value={value} onChange={(e) => setValue(e.target.value)}>
              <option value="">{t('builder.chooseMajor')}</option>
              {majors.map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </select>
          ) : (
            <input
              id="b-target-value"
              inputMode="numeric"
              value={value}
              onChange={(e) => setValue(e.target.value)}
              placeholder={t('builder.studentNisn')}
            />
          )}
        </div>
        <button
          type="button"
          className="btn btn--secondary align-end"
          disabled={!value.trim()}
          onClick={() => void add()}
        >
          {t('builder.addTarget')}
        </button>
      </div>
      {lookupError && (
        <p className="note note--danger" role="alert">
          {lookupError}
        </p>
      )}
    </section>
  );
}
